namespace Balancer.Core.LoadBalancing;

/// <summary>
/// Draws backend indices with probability proportional to effective weight, by binary search
/// over a prefix-sum array built once per snapshot. Shared by the randomised algorithms.
/// </summary>
internal sealed class WeightedDraw
{
    private readonly double[] _prefix;

    /// <summary>Builds the prefix sums of <paramref name="weights"/>, which are all above zero.</summary>
    public WeightedDraw(double[] weights)
    {
        _prefix = new double[weights.Length];
        var sum = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            sum += weights[i];
            _prefix[i] = sum;
        }
    }

    /// <summary>Number of backends.</summary>
    public int Count => _prefix.Length;

    /// <summary>One index, weighted.</summary>
    public int Draw(Random random) => Find(random.NextDouble() * _prefix[^1]);

    /// <summary>
    /// Two distinct indices, each weighted (the second among the rest); needs two backends.
    /// The second draw skips the first's interval instead of retrying, so it costs one draw.
    /// </summary>
    public (int First, int Second) DrawTwo(Random random)
    {
        var first = Draw(random);
        var start = first == 0 ? 0 : _prefix[first - 1];
        var width = _prefix[first] - start;
        var u = random.NextDouble() * (_prefix[^1] - width);
        if (u >= start)
        {
            u += width;
        }

        var second = Find(u);
        // Floating-point rounding at an interval's edge can land back on the first.
        return (first, second != first ? second : (first + 1) % _prefix.Length);
    }

    /// <summary>The first index whose prefix sum exceeds <paramref name="u"/>.</summary>
    private int Find(double u)
    {
        int lo = 0, hi = _prefix.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_prefix[mid] > u)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}

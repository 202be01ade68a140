using System.Runtime.CompilerServices;

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

    /// <summary>
    /// Two independent uniforms in [0, 1) from one 64-bit draw: 31 and 32 bits resolve any
    /// weights config allows (256 × thousands of backends) finely, and each random draw costs as
    /// much as a binary search (~15–20 ns on our VMs), so P2C's two draws become one.
    /// </summary>
    public static (double U1, double U2) TwoUniforms(Random random)
    {
        var bits = (ulong)random.NextInt64(); // 63 random bits
        return ((bits >> 32) * (1.0 / (1UL << 31)), (uint)bits * (1.0 / (1UL << 32)));
    }

    /// <summary>One index, weighted, for a uniform <paramref name="u"/> in [0, 1).</summary>
    public int Draw(double u) => Find(u * _prefix[^1]);

    /// <summary>
    /// Two distinct indices, each weighted (the second among the rest), for uniforms
    /// <paramref name="u1"/> and <paramref name="u2"/> in [0, 1); needs two backends. The second
    /// draw skips the first's interval instead of retrying, so it costs one uniform.
    /// </summary>
    public (int First, int Second) DrawTwo(double u1, double u2)
    {
        var first = Draw(u1);
        var start = first == 0 ? 0 : _prefix[first - 1];
        var width = _prefix[first] - start;
        var u = u2 * (_prefix[^1] - width);
        u += width * Unsafe.BitCast<bool, byte>(u >= start); // skip the first's interval, branch-free

        var second = Find(u);
        // Floating-point rounding at an interval's edge can land back on the first.
        return (first, second != first ? second : (first + 1) % _prefix.Length);
    }

    /// <summary>
    /// The first index whose prefix sum exceeds <paramref name="u"/> (the last if none does, against
    /// rounding). Branch-free halving (Khuong and Morin, "Array Layouts for Comparison-Based
    /// Searching", 2017): the loop runs log2 n times whatever the data, and the comparison is
    /// arithmetic, so a random <paramref name="u"/> costs no mispredicted branches.
    /// </summary>
    private int Find(double u)
    {
        var prefix = _prefix;
        var lo = 0;
        var n = prefix.Length;
        while (n > 1)
        {
            var half = n >>> 1;
            // The comparison as 0 or 1 (setcc), not a branch: RyuJIT does not if-convert in loops.
            lo += half & -Unsafe.BitCast<bool, byte>(prefix[lo + half] <= u);
            n -= half;
        }

        return Math.Min(prefix[lo] <= u ? lo + 1 : lo, prefix.Length - 1);
    }
}

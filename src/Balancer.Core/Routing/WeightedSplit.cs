using Balancer.Core.Configuration;

namespace Balancer.Core.Routing;

/// <summary>
/// A route's weighted split over pools (a canary: Envoy's weighted clusters, NGINX's <c>split_clients</c>): each
/// request draws a uniform number and lands on a side with probability weight / total, independently of the others,
/// so no shared counter is touched. A client already placed on a side (its pool's affinity cookie names one of that
/// pool's backends) stays there.
/// </summary>
public sealed class WeightedSplit
{
    private readonly double[] _upperBounds;

    public WeightedSplit(IReadOnlyList<WeightedPoolConfig> sides)
    {
        Pools = [.. sides.Select(s => s.Pool)];
        Weights = [.. sides.Select(s => s.Weight)];
        double total = Weights.Sum();
        _upperBounds = new double[Weights.Length];
        var running = 0.0;
        for (var i = 0; i < Weights.Length; i++)
        {
            running += Weights[i];
            _upperBounds[i] = running / total;
        }

        _upperBounds[^1] = double.PositiveInfinity; // a draw of 1.0 or rounding never falls off the end
    }

    /// <summary>The pools, in the route's order.</summary>
    public string[] Pools { get; }

    /// <summary>Their weights.</summary>
    public int[] Weights { get; }

    /// <summary>
    /// The side for <paramref name="draw"/> (uniform in [0, 1)), or <paramref name="sticky"/> when it is a side the
    /// client already holds (-1 when none). A side of weight 0 is only ever reached by <paramref name="sticky"/>.
    /// </summary>
    public int Choose(double draw, int sticky = -1)
    {
        if ((uint)sticky < (uint)Weights.Length)
        {
            return sticky;
        }

        for (var i = 0; i < _upperBounds.Length; i++)
        {
            if (draw < _upperBounds[i] && Weights[i] > 0)
            {
                return i;
            }
        }

        return Array.FindLastIndex(Weights, w => w > 0);
    }
}

using Balancer.Core.Model;

namespace Balancer.Core.LoadBalancing;

/// <summary>
/// Latency-aware balancing in the style of Finagle's and Linkerd's peak-EWMA balancer: cost is
/// the backend's <see cref="PeakEwma"/> estimate × (in-flight + 1) / weight, and the request goes
/// to the cheaper of two distinct backends drawn by weight (power of two choices, Mitzenmacher
/// 2001), so one slow or overloaded backend is avoided without every balancer herding onto the
/// single fastest one.
/// </summary>
/// <remarks>
/// Two guards keep the estimate honest, since a backend that gets no traffic gets no samples:
/// <list type="bullet">
/// <item>A backend with no samples yet (new, or re-added) is costed at the other candidate's
/// estimate, a draw from the sampled backends' estimates that averages them over picks, so it is
/// neither starved (seeded high) nor flooded (seeded at zero); in-flight then balances it.</item>
/// <item>A small share of picks, <see cref="ExploreShare"/>, goes to a uniformly random backend,
/// so a backend that was slow once is sampled again and its estimate can recover. The decay of
/// <see cref="PeakEwma"/> alone is not enough under steady load: Traefik's least-time starved an
/// upstream that way (traefik/traefik#12306).</item>
/// </list>
/// </remarks>
internal sealed class ResponseTime(Random random) : IBalancingAlgorithm
{
    /// <summary>Share of picks sent to a uniformly random backend to keep every estimate fresh.</summary>
    internal const double ExploreShare = 0.01;

    /// <summary>Cost used when neither candidate has a sample; only its equality between the two matters.</summary>
    private const double UnsampledMilliseconds = 5;

    /// <summary>
    /// Lowest estimate used: a long idle decays an estimate towards zero, and a zero cost would
    /// hide in-flight counts (Finagle adds a penalty for the same reason).
    /// </summary>
    private const double FloorMilliseconds = 0.001;

    public string Name => BalancingAlgorithms.ResponseTime;

    public object? Prepare(BackendState[] available, double[] weights) => new WeightedDraw(weights);

    public BackendState Pick(PoolSnapshot snapshot)
    {
        var available = snapshot.Available;
        if (available.Length == 1)
        {
            return available[0];
        }

        if (random.NextDouble() < ExploreShare)
        {
            return available[random.Next(available.Length)];
        }

        var (a, b) = ((WeightedDraw)snapshot.AlgorithmData!).DrawTwo(random);
        var backendA = available[a];
        var backendB = available[b];
        var latencyA = Estimate(backendA.Latency);
        var latencyB = Estimate(backendB.Latency);
        if (double.IsNaN(latencyA))
        {
            latencyA = double.IsNaN(latencyB) ? UnsampledMilliseconds : latencyB;
        }

        if (double.IsNaN(latencyB))
        {
            latencyB = latencyA;
        }

        var weights = snapshot.Weights;
        // latencyA × (inA + 1) / wA <= latencyB × (inB + 1) / wB, multiplied out.
        return latencyA * (backendA.InFlight + 1.0) * weights[b] <= latencyB * (backendB.InFlight + 1.0) * weights[a]
            ? backendA
            : backendB;
    }

    /// <summary>The estimate in milliseconds, or NaN when the backend has no sample yet.</summary>
    private static double Estimate(PeakEwma latency) =>
        latency.HasSamples ? Math.Max(FloorMilliseconds, latency.CurrentMilliseconds) : double.NaN;
}

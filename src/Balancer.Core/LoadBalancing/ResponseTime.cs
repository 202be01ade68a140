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

    /// <summary>
    /// Lowest estimate used: a zero (a sample of no time) would make the ratio of two estimates
    /// zero or infinite and hide in-flight counts (Finagle adds a penalty for the same reason).
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

        // The first uniform decides whether to explore and, rescaled, which backend: conditioned
        // on either branch it is still uniform, so one 64-bit random draw serves the whole pick.
        var (u1, u2) = WeightedDraw.TwoUniforms(random);
        if (u1 < ExploreShare)
        {
            return available[Math.Min(available.Length - 1, (int)(u1 / ExploreShare * available.Length))];
        }

        var (a, b) = ((WeightedDraw)snapshot.AlgorithmData!).DrawTwo((u1 - ExploreShare) / (1 - ExploreShare), u2);
        // A backend with no sample yet is costed at its rival's estimate: ratio 1, so in-flight
        // per weight decides. (Both unsampled: likewise.)
        var latencyA = available[a].Latency;
        var latencyB = available[b].Latency;
        var ratio = latencyA.HasSamples && latencyB.HasSamples ? latencyA.RatioTo(latencyB, FloorMilliseconds) : 1;
        return PowerOfTwoChoices.LessLoaded(snapshot, a, b, ratio);
    }
}

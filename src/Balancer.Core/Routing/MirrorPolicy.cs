using Balancer.Core.Configuration;

namespace Balancer.Core.Routing;

/// <summary>What to do with one request of a mirrored route.</summary>
public enum MirrorDecision
{
    /// <summary>Not sampled: no copy.</summary>
    Skip,

    /// <summary>Sampled: copy it (its body too, up to the cap).</summary>
    Copy,

    /// <summary>Sampled, but its declared body is over the cap: no copy, counted.</summary>
    TooLarge,
}

/// <summary>A route's mirror: which requests are copied to the shadow pool, decided per request from a uniform draw.</summary>
public sealed class MirrorPolicy(MirrorConfig config)
{
    private readonly double _share = config.Percent / 100;

    /// <summary>The shadow pool.</summary>
    public string Pool { get; } = config.Pool;

    /// <summary>The largest body copied.</summary>
    public int MaxBodySize { get; } = config.MaxBodySize;

    /// <summary>The share of requests copied, in percent.</summary>
    public double Percent { get; } = config.Percent;

    /// <summary>
    /// The decision for a request with <paramref name="draw"/> uniform in [0, 1) and a declared body length
    /// (null when it has none declared: chunked, or no body). A chunked body is checked against the cap as it is read.
    /// </summary>
    public MirrorDecision Decide(double draw, long? contentLength) =>
        draw >= _share ? MirrorDecision.Skip
        : contentLength > MaxBodySize ? MirrorDecision.TooLarge
        : MirrorDecision.Copy;
}

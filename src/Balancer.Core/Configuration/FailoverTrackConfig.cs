namespace Balancer.Core.Configuration;

/// <summary><c>failover.track</c>: the pools whose health decides whether this node is fit to be master (keepalived's track_script).</summary>
public sealed record FailoverTrackConfig
{
    /// <summary>Pool names; the node is sick while any of them has no available backend.</summary>
    public IReadOnlyList<string> Pools { get; init; } = [];

    /// <summary>How much the priority drops while sick (floor 1). Default 50.</summary>
    public int Weight { get; init; } = 50;

    /// <summary>Go to FAULT while sick instead of lowering the priority. Default false.</summary>
    public bool Fault { get; init; }
}

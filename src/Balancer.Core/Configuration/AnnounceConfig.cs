namespace Balancer.Core.Configuration;

/// <summary>
/// Scale-out behind an ECMP router: the virtual IPs every healthy node puts on a local interface, for a routing
/// daemon on the node (BIRD, FRR) to announce over BGP, and takes off when it cannot serve or stops.
/// </summary>
public sealed record AnnounceConfig
{
    /// <summary>Host addresses (<c>198.18.10.100/32</c>, or <c>/128</c> for IPv6; the prefix may be left out).</summary>
    public IReadOnlyList<string> VirtualIps { get; init; } = [];

    /// <summary>The local interface the addresses go on: <c>lo</c> (the default) or a dummy interface.</summary>
    public string Interface { get; init; } = "lo";

    /// <summary>Pools that must each have an available backend for the node to announce; null: the listeners alone.</summary>
    public AnnounceTrackConfig? Track { get; init; }

    /// <summary>How long a stopping node keeps serving after it withdrew, while the router converges. Default 2 s.</summary>
    public TimeSpan WithdrawDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Time between health checks of the node. Default 1 s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Consecutive healthy checks before a withdrawn node announces. Default 3.</summary>
    public int Rise { get; init; } = 3;

    /// <summary>Consecutive unhealthy checks before an announcing node withdraws. Default 1.</summary>
    public int Fall { get; init; } = 1;

    /// <summary>
    /// The kernel's lifetime of each address, renewed at every check, so that the address of a node that crashed or
    /// hangs expires and its route is withdrawn; whole seconds, zero for addresses that never expire. Default 3 s.
    /// </summary>
    public TimeSpan AddressLifetime { get; init; } = TimeSpan.FromSeconds(3);
}

/// <summary><c>announce.track</c>: what the node's health depends on besides its listeners.</summary>
public sealed record AnnounceTrackConfig
{
    /// <summary>Pool names; the node is unhealthy while any of them has no available backend.</summary>
    public IReadOnlyList<string> Pools { get; init; } = [];
}

namespace Balancer.Core.Configuration;

/// <summary>
/// One entry of <c>failover.groups</c> (#23): a set of virtual IPs with a state machine of its own, so that each node
/// of the pair can be master of one group and backup of the other (active-active, keepalived's two VRRP instances).
/// </summary>
public sealed record FailoverGroupConfig
{
    /// <summary>The group's name, carried in its adverts: 1–32 bytes of UTF-8, the same on both nodes.</summary>
    public string Name { get; init; } = "";

    /// <summary>1–254; the higher wins mastership of this group. Default 100.</summary>
    public int Priority { get; init; } = 100;

    /// <summary>Virtual IPs with prefix length, e.g. <c>198.18.0.100/24</c>.</summary>
    public IReadOnlyList<string> VirtualIps { get; init; } = [];

    /// <summary>Whether a higher-priority node takes this group back from a lower-priority master. Default true.</summary>
    public bool Preempt { get; init; } = true;

    /// <summary>How long a backup keeps hearing a lower-priority master before it preempts. Default 0: at once.</summary>
    public TimeSpan PreemptDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Pools whose health lowers this group's priority; null when nothing is tracked.</summary>
    public FailoverTrackConfig? Track { get; init; }

    /// <summary>Executables run on each state change of this group; null when there are none.</summary>
    public FailoverNotifyConfig? Notify { get; init; }
}

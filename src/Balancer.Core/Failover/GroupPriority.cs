namespace Balancer.Core.Failover;

/// <summary>
/// A group's priority: the configured one, lowered by the track weight while the tracked health is bad (keepalived's
/// track weight, floor 1). Knows nothing of states; says when the effective priority changed.
/// </summary>
internal sealed class GroupPriority(FailoverOptions options)
{
    /// <summary>
    /// Deterministic tie-break for equal priorities: the greater node id (ordinal) wins, as RFC 5798 §6.4.3
    /// lets the greater primary IP address win.
    /// </summary>
    internal static bool Outranks(int priority, string nodeId, int otherPriority, string otherNodeId) =>
        priority != otherPriority ? priority > otherPriority : string.CompareOrdinal(nodeId, otherNodeId) > 0;

    /// <summary>The running options.</summary>
    public FailoverOptions Options { get; private set; } = options;

    /// <summary>The last tracked health reported.</summary>
    public bool Healthy { get; private set; } = true;

    /// <summary>The priority advertised now.</summary>
    public int Effective => Healthy ? Options.Priority : Math.Max(1, Math.Min(254, Options.Priority - Options.TrackWeight));

    /// <summary>Records a change of tracked health; the priority change to log, even when the floor keeps it equal.</summary>
    public FailoverAction.PriorityChanged SetHealthy(bool healthy)
    {
        var before = Effective;
        Healthy = healthy;
        return new FailoverAction.PriorityChanged(before, Effective, healthy);
    }

    /// <summary>Takes new options; the change of effective priority they make, or null.</summary>
    public FailoverAction.PriorityChanged? Reconfigure(FailoverOptions next)
    {
        var before = Effective;
        Options = next;
        return Effective == before ? null : new FailoverAction.PriorityChanged(before, Effective, Healthy);
    }
}

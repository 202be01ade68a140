namespace Balancer.Core.Announce;

/// <summary>What <see cref="AnnounceMachine"/> decided and why, for <c>/status</c> and the metrics.</summary>
public sealed record AnnounceSnapshot
{
    /// <summary>Whether the node carries the addresses.</summary>
    public AnnounceState State { get; init; }

    /// <summary>Why the node is in <see cref="State"/> now, e.g. <c>healthy 1 of 3 checks</c>.</summary>
    public string Reason { get; init; } = "";

    /// <summary>When the node entered <see cref="State"/>.</summary>
    public DateTimeOffset Since { get; init; }

    /// <summary>State changes since start.</summary>
    public long Transitions { get; init; }

    /// <summary>The last change, or null before the first.</summary>
    public AnnounceTransition? LastTransition { get; init; }

    /// <summary>The last check, or null before the first.</summary>
    public AnnounceHealth? LastCheck { get; init; }

    /// <summary>When the last check ran.</summary>
    public DateTimeOffset? LastCheckAt { get; init; }

    /// <summary>Consecutive checks that agreed with the last one (healthy or not), counted towards rise or fall.</summary>
    public int Streak { get; init; }

    /// <summary>The hysteresis in force.</summary>
    public AnnounceOptions Options { get; init; } = new(TimeSpan.FromSeconds(1), 3, 1, TimeSpan.FromSeconds(3));
}

namespace Balancer.Core.Failover;

/// <summary>
/// The timers of one group as deadlines on the machine's clock (time since the machine was made): RFC 5798 §6.2's
/// Master_Down_Timer and Adver_Timer, the preempt delay, and the bound on a resigned master's hand-over.
/// </summary>
/// <remarks>
/// A deadline is a value, not a callback: <see cref="FailoverGroup.Tick"/> compares each with the clock, so a tick
/// that comes early finds nothing due, and one that comes late or twice acts once.
/// </remarks>
internal sealed class VrrpTimers
{
    /// <summary>RFC 5798 §6.2 Master_Down_Timer: a backup takes over when it passes.</summary>
    public TimeSpan? MasterDownAt { get; set; }

    /// <summary>RFC 5798 §6.2 Adver_Timer: a master advertises when it passes.</summary>
    public TimeSpan? AdvertAt { get; set; }

    /// <summary>A backup that heard a lower-priority master takes over when it passes (<c>preemptDelay</c>).</summary>
    public TimeSpan? PreemptAt { get; set; }

    /// <summary>A resigned master stops waiting for its successor and leaves when it passes.</summary>
    public TimeSpan? HandoverUntil { get; set; }

    /// <summary>The witness's answer to the pending query is given up when it passes (#23).</summary>
    public TimeSpan? WitnessUntil { get; set; }

    /// <summary>A master whose peer is silent asks the witness whether it is isolated when it passes (#23).</summary>
    public TimeSpan? WitnessAskAt { get; set; }

    /// <summary>A master whose interface went down goes to FAULT when it passes, unless the link came back first.</summary>
    public TimeSpan? InterfaceFaultAt { get; set; }

    /// <summary>The earliest deadline, or null when none is set.</summary>
    public TimeSpan? Next => Min(Min(Min(MasterDownAt, AdvertAt), Min(PreemptAt, HandoverUntil)), Min(Min(WitnessUntil, WitnessAskAt), InterfaceFaultAt));

    /// <summary>A state change: the old state's timers stop.</summary>
    public void Clear() => MasterDownAt = AdvertAt = PreemptAt = HandoverUntil = WitnessUntil = WitnessAskAt = InterfaceFaultAt = null;

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);
}

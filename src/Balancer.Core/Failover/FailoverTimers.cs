namespace Balancer.Core.Failover;

/// <summary>The VRRP timer formulas of RFC 5798 §6.1, with time as <see cref="TimeSpan"/>.</summary>
public static class FailoverTimers
{
    /// <summary>
    /// Skew_Time = ((256 − Priority) × Master_Adver_Interval) / 256 (RFC 5798 §6.1): the better a backup's
    /// priority, the sooner it notices a dead master, so the best backup wins the race.
    /// </summary>
    public static TimeSpan SkewTime(int priority, TimeSpan masterAdvertInterval) =>
        TimeSpan.FromTicks((256 - priority) * masterAdvertInterval.Ticks / 256);

    /// <summary>Master_Down_Interval = (3 × Master_Adver_Interval) + Skew_Time (RFC 5798 §6.1).</summary>
    public static TimeSpan MasterDownInterval(int priority, TimeSpan masterAdvertInterval) =>
        (3 * masterAdvertInterval) + SkewTime(priority, masterAdvertInterval);

    /// <summary>The least Master_Down_Interval any backup can have (Skew_Time tends to 0 as priority nears 256): 3 × the advert interval.</summary>
    public static TimeSpan MinimumMasterDownInterval(TimeSpan masterAdvertInterval) => 3 * masterAdvertInterval;

    /// <summary>
    /// The gap between adverts worth a warning: two thirds of <paramref name="masterDownInterval"/>, so a stall that came
    /// within a third of causing a failover is logged before one causes it.
    /// </summary>
    public static TimeSpan StallThreshold(TimeSpan masterDownInterval) => masterDownInterval * 2 / 3;
}

namespace Balancer.Chaos.Steps;

/// <summary>
/// The health settings every chaos config uses, and the bounds the checks allow, printed at the start of a run.
/// The bounds are the issue's: a failure is seen within fall × interval + timeout + 250 ms, a recovery within
/// rise × interval + 250 ms; a reload within the watcher's debounce and one second (README: "within a second").
/// </summary>
internal sealed record ChaosSettings
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    public int Rise { get; init; } = 2;

    public int Fall { get; init; } = 2;

    public TimeSpan EjectTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Allowance on every bound for scheduling and the status poll.</summary>
    public static TimeSpan Slack { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest "slow" answer the schedule makes: well under the probe timeout, so a slow backend stays healthy.</summary>
    public int MaxSlowMs => (int)(Timeout.TotalMilliseconds * 0.3);

    public TimeSpan HealthBound => (Fall * Interval) + Timeout + Slack;

    public TimeSpan RecoveryBound => (Rise * Interval) + Slack;

    public TimeSpan ReloadBound => TimeSpan.FromSeconds(1) + Slack;

    /// <summary>A backend added by a reload takes traffic after its first probe passed.</summary>
    public TimeSpan AddBound => ReloadBound + Timeout;

    public TimeSpan AdminBound => Slack;

    public string Describe() =>
        $"probes: interval {Ms(Interval)}, timeout {Ms(Timeout)}, rise {Rise}, fall {Fall}; passive.ejectTime {Ms(EjectTime)}\n" +
        $"bounds: health (fall × interval + timeout + 250 ms) {Ms(HealthBound)}, recovery (rise × interval + 250 ms) {Ms(RecoveryBound)}, " +
        $"reload (1 s + 250 ms) {Ms(ReloadBound)}, added backend (reload + timeout) {Ms(AddBound)}, admin call {Ms(AdminBound)}";

    public static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:0} ms";
}

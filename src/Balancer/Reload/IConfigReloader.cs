namespace Balancer.Reload;

/// <summary>Reloads the running config on request (admin API, signals, file watcher).</summary>
internal interface IConfigReloader
{
    Task<ReloadResult> ReloadAsync(ReloadTrigger trigger);

    /// <summary>Reloads at the request of <paramref name="caller"/> (the admin API's client), for the timeline and the audit log.</summary>
    Task<ReloadResult> ReloadAsync(ReloadTrigger trigger, Admin.Timeline.TimelineActor? caller);
}

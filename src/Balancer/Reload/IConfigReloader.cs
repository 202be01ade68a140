namespace Balancer.Reload;

/// <summary>Reloads the running config on request (admin API, signals, file watcher).</summary>
internal interface IConfigReloader
{
    Task<ReloadResult> ReloadAsync(ReloadTrigger trigger);
}

using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Health;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Reload;

/// <summary>
/// Applies an accepted config to what runs, as a diff against the running one: pools and their health checks, rate
/// limits, listeners (updated in place, started, or retired when gone or rebound), then retires the pools that went.
/// The caller (<see cref="ConfigReloader"/>) serialises it.
/// </summary>
internal sealed class ConfigApplier(RuntimeState state, PoolRegistry pools, HealthChecker health, ListenerSet listeners, TelemetryHost telemetry)
{
    /// <summary>Applies pools first (new routes find their pools), then listeners, then retires what is gone.</summary>
    public async Task ApplyAsync(BalancerConfig old, BalancerConfig config)
    {
        var changed = pools.Apply(config);
        foreach (var pool in changed.AddedPools)
        {
            health.Watch(pool);
        }

        foreach (var (pool, backend) in changed.AddedBackends)
        {
            health.Watch(pool, backend);
        }

        foreach (var (_, backend) in changed.RemovedBackends)
        {
            await health.UnwatchAsync(backend);
        }

        foreach (var (name, poolConfig) in config.Pools)
        {
            // A changed probe kind needs new probe loops; other health settings are read live.
            if (old.Pools.TryGetValue(name, out var was) && was.Health?.Probe != poolConfig.Health?.Probe)
            {
                await health.RestartAsync(pools.Get(name)!);
            }
        }

        state.RateLimits.Apply(config); // before the listeners' routes take their tables from it

        // Stop listeners that are gone or rebound first, so a rebind onto a freed address works.
        foreach (var host in listeners.All.Where(l => !config.Listeners.TryGetValue(l.Name, out var next) || !ListenerHosts.CanUpdateInPlace(l.Config, next)).ToList())
        {
            listeners.Retire(host);
        }

        foreach (var name in config.Listeners.Keys)
        {
            if (listeners.Get(name) is { } host)
            {
                host.Update(config);
            }
            else
            {
                await listeners.StartAsync(name, config, CancellationToken.None);
            }
        }

        pools.Retire(changed.RemovedPools);
        foreach (var pool in changed.RemovedPools)
        {
            telemetry.Metrics.PoolRetired(pool.Name);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Balancer.Core.Configuration;
using Balancer.Core.Reload;
using Balancer.Reload;
using Balancer.Telemetry;

namespace Balancer.Hosting;

/// <summary>Reload: validate the whole new file, check it against what is running, then apply it as a diff.</summary>
internal sealed partial class BalancerServer : IConfigReloader
{
    public async Task<ReloadResult> ReloadAsync(ReloadTrigger trigger)
    {
        await _reloadLock.WaitAsync();
        try
        {
            var result = ConfigLoader.Load(State.ConfigPath);
            if (!result.IsValid)
            {
                return Reject(result.Hash, [.. result.Errors.Where(e => e.IsError).Select(e => e.ToString())]);
            }

            var config = result.Config!;
            var problems = CheckAgainstRunning(config);
            if (problems.Count > 0)
            {
                return Reject(result.Hash, problems);
            }

            var changes = ConfigDiff.Compute(State.Config, config);
            if (changes.Count == 0 && result.Hash == State.ConfigHash && trigger == ReloadTrigger.FileChange)
            {
                return new ReloadResult(true, result.Hash, [], []);
            }

            await ApplyAsync(config);
            _failover?.Reconfigure(config.Failover!, Fingerprint(config));
            State.Loaded(config, result.Hash, result.Text, _time.GetUtcNow());
            _lastErrorFromCertificates = false;
            if (_watcher is not null)
            {
                WatchCertificates(config);
            }

            Log.ConfigReloaded(_logger, trigger, Short(result.Hash), ConfigDiff.Summarize(changes));
            _telemetry.Metrics.Reloaded(applied: true);
            return new ReloadResult(true, result.Hash, changes, []);
        }
        catch (Exception e) when (e is StartupException or IOException or SocketException)
        {
            // Binding was checked up front, so this is a race with another process: say so.
            return Reject("", [$"{State.ConfigPath}: reload partly applied: {e.Message}"]);
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    private ReloadResult Reject(string hash, IReadOnlyList<string> errors)
    {
        _telemetry.Metrics.Reloaded(applied: false);
        foreach (var error in errors)
        {
            Log.ConfigRejected(_logger, error);
        }

        State.Rejected(string.Join(Environment.NewLine, errors), _time.GetUtcNow());
        return ReloadResult.Rejected(hash, errors);
    }

    /// <summary>What a valid file still cannot do to this running process, each said precisely.</summary>
    private List<string> CheckAgainstRunning(BalancerConfig config)
    {
        var problems = new List<string>();
        if (config.Admin.Bind != State.Config.Admin.Bind)
        {
            problems.Add($"{State.ConfigPath}: admin.bind cannot change while running ({State.Config.Admin.Bind} → {config.Admin.Bind}); restart balancer to move the admin API");
        }

        if (config.Admin.TokenFile != State.Config.Admin.TokenFile)
        {
            problems.Add($"{State.ConfigPath}: admin.tokenFile cannot change while running; restart balancer to change it (the file's content is re-read on every call)");
        }

        if (config.Telemetry != _telemetry.Config)
        {
            problems.Add($"{State.ConfigPath}: telemetry cannot change while running; restart balancer to change the OTLP endpoint, sampling or access log");
        }

        if ((config.Failover is null) != (_failover is null))
        {
            problems.Add($"{State.ConfigPath}: failover cannot be {(_failover is null ? "added" : "removed")} while running; restart balancer");
        }
        else if (_failover is not null)
        {
            problems.AddRange(_failover.CheckReload(config.Failover!).Select(p => $"{State.ConfigPath}: {p}"));
        }

        // Addresses this process holds now and would still hold, or give up, after the reload.
        var released = _listeners.Values.Where(l => !config.Listeners.TryGetValue(l.Name, out var next) || !ListenerHosts.CanUpdateInPlace(l.Config, next)).Select(l => l.Config.Bind).ToHashSet();
        foreach (var (name, listener) in config.Listeners)
        {
            var running = _listeners.GetValueOrDefault(name);
            if ((running is not null && ListenerHosts.CanUpdateInPlace(running.Config, listener)) || released.Contains(listener.Bind))
            {
                continue;
            }

            if (TryBind(listener.Bind) is { } error)
            {
                problems.Add($"{State.ConfigPath}: listeners.{name}.bind: cannot listen on {listener.Bind}: {error}");
            }
        }

        return problems;
    }

    /// <summary>Applies pools first (new routes find their pools), then listeners, then retires what is gone.</summary>
    private async Task ApplyAsync(BalancerConfig config)
    {
        var old = State.Config;
        var pools = _pools.Apply(config);
        foreach (var pool in pools.AddedPools)
        {
            _health.Watch(pool);
        }

        foreach (var (pool, backend) in pools.AddedBackends)
        {
            _health.Watch(pool, backend);
        }

        foreach (var (_, backend) in pools.RemovedBackends)
        {
            await _health.UnwatchAsync(backend);
        }

        foreach (var (name, poolConfig) in config.Pools)
        {
            // A changed probe kind needs new probe loops; other health settings are read live.
            if (old.Pools.TryGetValue(name, out var was) && was.Health?.Probe != poolConfig.Health?.Probe)
            {
                await _health.RestartAsync(_pools.Get(name)!);
            }
        }

        // Stop listeners that are gone or rebound first, so a rebind onto a freed address works.
        foreach (var host in _listeners.Values.Where(l => !config.Listeners.TryGetValue(l.Name, out var next) || !ListenerHosts.CanUpdateInPlace(l.Config, next)).ToList())
        {
            _listeners.Remove(host.Name);
            State.BoundListeners.Remove(host.Name);
            _retiring.Add(RetireAsync(host));
        }

        foreach (var name in config.Listeners.Keys)
        {
            if (_listeners.TryGetValue(name, out var host))
            {
                host.Update(config);
            }
            else
            {
                await StartListenerAsync(name, config, CancellationToken.None);
            }
        }

        _pools.Retire(pools.RemovedPools);
    }

    /// <summary>Stops a listener a reload removed: no new connections, in-flight ones drain.</summary>
    private async Task RetireAsync(IListenerHost host)
    {
        using var drain = new CancellationTokenSource(DrainTimeout);
        await host.StopAsync(drain.Token);
        await host.DisposeAsync();
        Log.ListenerStopped(_logger, host.Name, host.BoundAddress);
    }

    private static string? TryBind(string bind)
    {
        var endpoint = BindAddress.Parse(bind);
        if (endpoint.Port == 0)
        {
            return null;
        }

        try
        {
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
            return null;
        }
        catch (SocketException e)
        {
            return e.Message;
        }
    }
}

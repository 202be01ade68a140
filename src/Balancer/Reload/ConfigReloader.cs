using System.Net;
using System.Net.Sockets;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Core.Reload;
using Balancer.Health;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Reload;

/// <summary>
/// Reload (file change, SIGHUP, admin API): validate the whole new file, check it against what is running, then
/// apply it as a diff — pools first, then listeners, then retire what is gone. One reload at a time, also with
/// certificate reloads.
/// </summary>
internal sealed class ConfigReloader : IConfigReloader, IDisposable
{
    private readonly RuntimeState _state;
    private readonly PoolRegistry _pools;
    private readonly HealthChecker _health;
    private readonly ListenerSet _listeners;
    private readonly TelemetryHost _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly CertificateReloader _certificates;
    private FileWatcher? _watcher;

    public ConfigReloader(RuntimeState state, PoolRegistry pools, HealthChecker health, ListenerSet listeners, ProxyServices services, TelemetryHost telemetry, ILogger logger)
    {
        _state = state;
        _pools = pools;
        _health = health;
        _listeners = listeners;
        _telemetry = telemetry;
        _time = services.Time;
        _logger = logger;
        _certificates = new CertificateReloader(state, listeners, services, _lock, logger);
    }

    /// <summary>From now on an edit of the config file, or of a certificate or key it names, reloads it.</summary>
    public void Watch(BalancerConfig config)
    {
        _watcher = new FileWatcher([_state.ConfigPath], _time, () => ReloadAsync(ReloadTrigger.FileChange));
        _certificates.Watch(config);
        WarmedUp = Task.Run(() => WarmUpAsync(config));
    }

    /// <summary>Ends when the reload path has run once at start (see <see cref="WarmUpAsync"/>).</summary>
    internal Task WarmedUp { get; private set; } = Task.CompletedTask;

    /// <inheritdoc cref="CertificateReloader.ReloadAsync"/>
    public Task<IReadOnlyList<string>> ReloadCertificatesAsync() => _certificates.ReloadAsync();

    public async Task<ReloadResult> ReloadAsync(ReloadTrigger trigger)
    {
        await _lock.WaitAsync();
        try
        {
            var result = ConfigLoader.Load(_state.ConfigPath);
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

            var changes = ConfigDiff.Compute(_state.Config, config);
            if (changes.Count == 0 && result.Hash == _state.ConfigHash && trigger == ReloadTrigger.FileChange)
            {
                // The running file put back (the operator's undo of a rejected edit): a successful load that
                // changes nothing. The rejected edit's error is no longer true, unless a certificate still fails.
                Log.ConfigUnchanged(_logger, trigger, Short(result.Hash));
                if (!_certificates.HasError)
                {
                    _state.ClearError();
                }

                return new ReloadResult(true, result.Hash, [], []);
            }

            await ApplyAsync(config);
            _state.Failover?.Reconfigure(config.Failover!, ServedConfigFingerprint.Of(config));
            _state.Loaded(config, result.Hash, result.Text, _time.GetUtcNow());
            _certificates.ConfigApplied();
            if (_watcher is not null)
            {
                _certificates.Watch(config);
            }

            Log.ConfigReloaded(_logger, trigger, Short(result.Hash), ConfigDiff.Summarize(changes));
            _telemetry.Metrics.Reloaded(applied: true);
            return new ReloadResult(true, result.Hash, changes, []);
        }
        catch (Exception e) when (e is StartupException or IOException or SocketException)
        {
            // Binding was checked up front, so this is a race with another process: say so.
            return Reject("", [$"{_state.ConfigPath}: reload partly applied: {e.Message}"]);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Runs the reload path once with the running config, which changes nothing (as a SIGHUP of an unchanged file
    /// does), so the operator's first edit applies as fast as the later ones: that path's first run costs 0.3 s more
    /// (System.Text.Json's contracts of the config records in the diff, the pools' and YARP's update code), 1.4 s on
    /// a loaded 2-core machine, where the chaos run found the first reload of every process late.
    /// </summary>
    private async Task WarmUpAsync(BalancerConfig config)
    {
        await _lock.WaitAsync();
        try
        {
            // Only the config it was given, never one a reload has replaced meanwhile; and not once shutdown began.
            if (_watcher is not null && ReferenceEquals(_state.Config, config) && CheckAgainstRunning(config).Count == 0)
            {
                _ = ConfigDiff.Summarize(ConfigDiff.Compute(config, config));
                await ApplyAsync(config);
            }
        }
        catch (Exception e) when (e is StartupException or IOException or SocketException)
        {
            // Nothing changed, so nothing is partly applied; a real reload reports such a problem.
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Stops watching the config and certificate files (shutdown).</summary>
    public void StopWatching()
    {
        _watcher?.Dispose();
        _watcher = null;
        _certificates.Dispose();
    }

    public void Dispose()
    {
        StopWatching();
        _lock.Dispose();
    }

    /// <summary>The first 12 hex digits of a config hash, as logs show it.</summary>
    internal static string Short(string hash) => hash[..Math.Min(12, hash.Length)];

    private ReloadResult Reject(string hash, IReadOnlyList<string> errors)
    {
        _telemetry.Metrics.Reloaded(applied: false);
        foreach (var error in errors)
        {
            Log.ConfigRejected(_logger, error);
        }

        _state.Rejected(string.Join(Environment.NewLine, errors), _time.GetUtcNow());
        return ReloadResult.Rejected(hash, errors);
    }

    /// <summary>What a valid file still cannot do to this running process, each said precisely.</summary>
    private List<string> CheckAgainstRunning(BalancerConfig config)
    {
        var path = _state.ConfigPath;
        var running = _state.Config;
        var problems = new List<string>();
        if (config.Admin.Bind != running.Admin.Bind)
        {
            problems.Add($"{path}: admin.bind cannot change while running ({running.Admin.Bind} → {config.Admin.Bind}); restart balancer to move the admin API");
        }

        if (config.Admin.TokenFile != running.Admin.TokenFile)
        {
            problems.Add($"{path}: admin.tokenFile cannot change while running; restart balancer to change it (the file's content is re-read on every call)");
        }

        if (config.Telemetry != _telemetry.Config)
        {
            problems.Add($"{path}: telemetry cannot change while running; restart balancer to change the OTLP endpoint, sampling or access log");
        }

        var failover = _state.Failover;
        if ((config.Failover is null) != (failover is null))
        {
            problems.Add($"{path}: failover cannot be {(failover is null ? "added" : "removed")} while running; restart balancer");
        }
        else if (failover is not null)
        {
            problems.AddRange(failover.CheckReload(config.Failover!).Select(p => $"{path}: {p}"));
        }

        // Addresses this process holds now and would still hold, or give up, after the reload.
        var released = _listeners.All.Where(l => !config.Listeners.TryGetValue(l.Name, out var next) || !ListenerHosts.CanUpdateInPlace(l.Config, next)).Select(l => l.Config.Bind).ToHashSet();
        foreach (var (name, listener) in config.Listeners)
        {
            var host = _listeners.Get(name);
            if ((host is not null && ListenerHosts.CanUpdateInPlace(host.Config, listener)) || released.Contains(listener.Bind))
            {
                continue;
            }

            if (TryBind(listener.Bind) is { } error)
            {
                problems.Add($"{path}: listeners.{name}.bind: cannot listen on {listener.Bind}: {error}");
            }
        }

        return problems;
    }

    /// <summary>Applies pools first (new routes find their pools), then listeners, then retires what is gone.</summary>
    private async Task ApplyAsync(BalancerConfig config)
    {
        var old = _state.Config;
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
        foreach (var host in _listeners.All.Where(l => !config.Listeners.TryGetValue(l.Name, out var next) || !ListenerHosts.CanUpdateInPlace(l.Config, next)).ToList())
        {
            _listeners.Retire(host);
        }

        foreach (var name in config.Listeners.Keys)
        {
            if (_listeners.Get(name) is { } host)
            {
                host.Update(config);
            }
            else
            {
                await _listeners.StartAsync(name, config, CancellationToken.None);
            }
        }

        _pools.Retire(pools.RemovedPools);
        foreach (var pool in pools.RemovedPools)
        {
            _telemetry.Metrics.PoolRetired(pool.Name);
        }
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

using Balancer.Admin;
using Balancer.Admin.Timeline;
using Balancer.Announce;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Failover;
using Balancer.Health;
using Balancer.Reload;
using Balancer.Telemetry;

namespace Balancer.Hosting;

/// <summary>
/// The composition root: loads the config, builds the core pools, starts one host per listener
/// and the admin API, hands reloads (file change, SIGHUP, admin API) to its <see cref="ConfigReloader"/>,
/// and on SIGTERM/SIGINT withdraws (failover resign, announced addresses off) and drains before it returns.
/// </summary>
internal sealed class BalancerServer : IAsyncDisposable
{
    /// <summary>How long in-flight requests may take to finish on shutdown, and removed backends to drain.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);
    private readonly ILoggerFactory _logs;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PoolRegistry _pools;
    private readonly HealthChecker _health;
    private readonly TelemetryHost _telemetry;
    private readonly ListenerSet _listeners;
    private readonly ConfigReloader _reloader;
    private readonly ReconnectHint _reconnect;
    private readonly Http.ProxyWarmUp _warmUp;
    private AdminHost? _admin;
    private FailoverService? _failover;
    private AnnounceService? _announce;
    private ITimer? _sweeper;
    private HistorySampler? _history;

    private BalancerServer(RuntimeState state, BalancerConfig config, ILoggerFactory logs, TimeProvider time, TimeSpan drainTimeout, Func<BalancerConfig, Task>? beforeReload)
    {
        State = state;
        _logs = logs;
        _time = time;
        DrainTimeout = drainTimeout;
        _logger = logs.CreateLogger("Balancer");
        _pools = new PoolRegistry(time, Random.Shared);
        _telemetry = new TelemetryHost(config.Telemetry, () => _pools, () => State.Failover?.Snapshot);
        var services = new ProxyServices(_pools, time, logs, _telemetry.Metrics, _telemetry.AccessLog, drainTimeout, state.ConfigPath, state.Certificates)
        {
            RateLimits = state.RateLimits,
            RouteStats = state.RouteStats,
        };
        _reconnect = services.Reconnect;
        _warmUp = services.WarmUp;
        AnnounceMetrics.Observe(_telemetry.Metrics.Meter, () => State.Announce);
        _telemetry.Metrics.ObserveTrafficPolicies(state.RateLimits);
        _telemetry.Metrics.ObserveCertificateExpiry(state.Certificates.ExpiryMeasurements);
        RouteMetrics.Observe(_telemetry.Metrics.Meter, state.RouteStats);
        _health = new HealthChecker(time, logs.CreateLogger("Balancer.Health"), timeline: state.Timeline);
        _listeners = new ListenerSet(state, services, _logger, drainTimeout);
        _reloader = new ConfigReloader(state, _pools, _health, _listeners, services, _telemetry, _logger) { BeforeApply = beforeReload };
    }

    public RuntimeState State { get; }

    public PoolRegistry Pools => _pools;

    /// <summary>The admin API's bound address.</summary>
    public string AdminAddress => _admin?.BoundAddress ?? "";

    public TimeSpan DrainTimeout { get; }

    /// <summary>
    /// Loads <paramref name="configPath"/> and starts serving; throws <see cref="StartupException"/> with one clear line
    /// on failure. <paramref name="beforeReload"/> runs with each accepted reload's config before it applies.
    /// </summary>
    public static async Task<BalancerServer> StartAsync(
        string configPath, ILoggerFactory logs, TimeProvider time, CancellationToken cancellationToken, TimeSpan? drainTimeout = null, bool watchConfig = true,
        Func<BalancerConfig, Task>? beforeReload = null)
    {
        var result = ConfigLoader.Load(configPath);
        if (!result.IsValid)
        {
            throw new StartupException(string.Join(Environment.NewLine, result.Errors.Where(e => e.IsError)));
        }

        var config = result.Config!;
        var state = new RuntimeState(configPath, time);
        var server = new BalancerServer(state, config, logs, time, drainTimeout ?? DefaultDrainTimeout, beforeReload);
        try
        {
            if (config.Failover is { } failover)
            {
                // Bound first, with a crash's stale virtual IPs removed, before anything serves or answers /status.
                var directory = Path.GetDirectoryName(Path.GetFullPath(configPath))!;
                server._failover = await FailoverService.BindAsync(failover, directory, ServedConfigFingerprint.Of(config), server._pools, logs, time, timeline: state.Timeline);
                state.Failover = server._failover;
            }

            await server.StartServingAsync(config, cancellationToken);

            // After the listeners: a node becomes master only once it can serve the virtual IPs.
            server._failover?.Start();

            if (config.Announce is { } announce)
            {
                // After the listeners too: the first check may announce, and the router then sends traffic at once.
                server._announce = AnnounceService.Start(announce, server._pools, server._reconnect, logs, time);
                state.Announce = server._announce;
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        state.Loaded(config, result.Hash, result.Text, time.GetUtcNow());
        Log.ConfigLoaded(server._logger, configPath, ConfigReloader.Short(result.Hash), config.Pools.Count, config.Pools.Values.Sum(p => p.Backends.Count), config.Listeners.Count);
        state.Timeline.Record(TimelineKind.Reload, "start", configPath, "serving",
            $"sha256 {ConfigReloader.Short(result.Hash)}: {config.Pools.Count} pools, {config.Pools.Values.Sum(p => p.Backends.Count)} backends, {config.Listeners.Count} listeners");
        if (watchConfig)
        {
            server._reloader.Watch(config);
        }

        return server;
    }

    /// <summary>Serves until SIGTERM or SIGINT (or <paramref name="stop"/>), reloading on SIGHUP, then drains and returns.</summary>
    public async Task RunUntilSignalAsync(ShutdownSignals signals, CancellationToken stop)
    {
        signals.Attach(this);
        var stopped = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = stop.Register(() => stopped.TrySetResult("stop request"));
        SystemdNotifier.Ready($"serving {State.BoundListeners.Count} listeners");
        var signal = await await Task.WhenAny(signals.Signalled, stopped.Task);
        if (signals.Signalled.IsCompleted)
        {
            BeginShutdown(); // a signal that came while starting found no server to resign or withdraw
        }

        Log.ShuttingDown(_logger, signal, DrainTimeout.TotalSeconds);
        State.Timeline.Record(TimelineKind.Reload, "stop", State.ConfigPath, "draining", $"{signal}: draining for up to {DrainTimeout.TotalSeconds} s, then exiting");
        SystemdNotifier.Stopping();
        await StopAsync();
    }

    /// <summary>A stop signal's first act, before any logging or draining: the failover node resigns, the announced addresses go.</summary>
    internal void BeginShutdown()
    {
        _failover?.RequestShutdown();
        _announce?.RequestShutdown();
    }

    /// <inheritdoc cref="ConfigReloader.ReloadAsync"/>
    public Task<ReloadResult> ReloadAsync(ReloadTrigger trigger) => _reloader.ReloadAsync(trigger);

    /// <summary>Ends when the reload path has run once with the running config, which changes nothing.</summary>
    internal Task ReloadWarmedUp => _reloader.WarmedUp;

    /// <inheritdoc cref="CertificateReloader.ReloadAsync"/>
    public Task<IReadOnlyList<string>> ReloadCertificatesAsync() => _reloader.ReloadCertificatesAsync();

    /// <summary>SIGHUP: reload, telling systemd while it runs.</summary>
    internal void ReloadOnSignal()
    {
        SystemdNotifier.Reloading();
        _ = ReloadAsync(ReloadTrigger.Signal).ContinueWith(
            t =>
            {
                // systemd must hear READY after RELOADING whatever happened, or the unit stays "reloading".
                if (t.Exception is { } failure)
                {
                    Log.ConfigRejected(_logger, $"reload failed: {failure.GetBaseException().Message}");
                }

                SystemdNotifier.Ready(t.IsCompletedSuccessfully && t.Result.Applied ? "reloaded" : "reload rejected");
            },
            TaskScheduler.Default);
    }

    /// <summary>
    /// Hands the virtual IPs over and withdraws the announced ones, serving until the peer has them and the router has
    /// converged (<c>announce.withdrawDelay</c>); then stops accepting on every listener at once and waits for in-flight
    /// work up to the drain timeout.
    /// </summary>
    public async Task StopAsync()
    {
        // First, so the peer takes the virtual IPs at once (RFC 5798 §6.4.3 shutdown) and the router stops sending new
        // connections here, while the listeners still serve the ones on their way.
        await Task.WhenAll(_failover?.ShutdownAsync() ?? Task.CompletedTask, _announce?.ShutdownAsync() ?? Task.CompletedTask);

        await _reloader.StopAsync();
        await _listeners.StopAsync();
        if (_admin is not null)
        {
            await _admin.StopAsync(CancellationToken.None);
        }

        Log.Stopped(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        _reloader.StopWatching();
        _sweeper?.Dispose();
        _history?.Dispose();
        if (_failover is not null)
        {
            await _failover.DisposeAsync();
        }

        if (_announce is not null)
        {
            await _announce.DisposeAsync();
        }

        await _health.DisposeAsync();
        await _listeners.DisposeAsync();

        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        _pools.Dispose();
        await _telemetry.DisposeAsync();
        _reloader.Dispose();
        await State.Timeline.DisposeAsync(); // writes the audit lines still queued
    }

    private async Task StartServingAsync(BalancerConfig config, CancellationToken cancellationToken)
    {
        if (config.Admin.AuditLog is { } auditLog)
        {
            // Before anything that reports to it: a failover transition at start-up is audited too.
            State.Timeline.SetAudit(StartupException.Opening("admin.auditLog", auditLog, () => AuditLog.Open(auditLog, Path.GetDirectoryName(Path.GetFullPath(State.ConfigPath))!)));
        }

        _pools.Load(config);
        State.RateLimits.Apply(config); // before the listeners: their routes take their tables from it
        foreach (var name in config.Listeners.Keys)
        {
            await _listeners.StartAsync(name, config, cancellationToken);
        }

        // Before the admin API reports the process up and the failover node joins its pair: a takeover's first clients
        // waited 80-280 ms on a cold proxy path (docs/benchmarks.md, Chaos run).
        await _warmUp.RunAsync(_listeners.Snapshot, _time, _logger, cancellationToken);

        // The first probes after the warm-up, not beside it: a 1 s probe timeout spent on the process's own JIT marked a
        // live backend down until the next interval (60 s in a test that waited for it). Then wait for them, bounded,
        // so that a node that says it is up, or takes over a virtual IP, knows which of its backends can serve.
        var started = _time.GetTimestamp();
        foreach (var pool in _pools.Pools.Values)
        {
            _health.Watch(pool);
        }

        var limit = FirstProbesLimit(config);
        var (probed, total) = await _health.FirstProbesAsync(limit, cancellationToken);
        if (total > 0)
        {
            Log.FirstProbes(_logger, probed, total, _pools.Pools.Values.Sum(p => p.Snapshot.All.Count(b => b.Health == BackendHealth.Up)), _time.GetElapsedTime(started).TotalMilliseconds, limit.TotalSeconds);
        }

        var admin = new AdminServices(State, _pools, _reloader, _telemetry.Prometheus, _telemetry.Metrics.Factory, _time, _logs);
        _admin = await StartupException.Binding("admin", config.Admin.Bind, () => AdminHost.StartAsync(config.Admin, admin, cancellationToken));
        Log.AdminStarted(_logger, _admin.BoundAddress);
        _sweeper = _time.CreateTimer(_ => Sweep(), null, SweepInterval, SweepInterval);
        _history = new HistorySampler(State.History, _pools, _listeners, _time);
    }

    /// <summary>How long start-up waits for the first probes: the slowest pool's probe timeout and a second more, at most 5 s.</summary>
    private static TimeSpan FirstProbesLimit(BalancerConfig config)
    {
        var slowest = config.Pools.Values.Select(p => p.Health is { Probe: not ProbeKinds.None } h ? h.Timeout : TimeSpan.Zero).DefaultIfEmpty(TimeSpan.Zero).Max();
        return TimeSpan.FromTicks(Math.Min(slowest.Ticks + TimeSpan.TicksPerSecond, 5 * TimeSpan.TicksPerSecond));
    }

    /// <summary>Forgets backends removed by reloads once drained, and stops probing them.</summary>
    private void Sweep()
    {
        foreach (var pool in _pools.Pools.Values)
        {
            foreach (var gone in pool.Sweep(DrainTimeout))
            {
                _ = _health.UnwatchAsync(gone);
                Log.BackendForgotten(_logger, pool.Name, gone.Address, gone.InFlight);
            }
        }
    }
}

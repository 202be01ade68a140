using System.Net;
using System.Net.Sockets;
using Balancer.Admin.Timeline;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Core.Reload;
using Balancer.Health;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Reload;

/// <summary>
/// Reload (file change, SIGHUP, admin API): validate the whole new file, check it against what is running, then
/// apply it as a diff (<see cref="ConfigApplier"/>: pools first, then listeners, then retire what is gone). One reload at a time, also with
/// certificate reloads.
/// </summary>
internal sealed class ConfigReloader : IConfigReloader, IDisposable
{
    private readonly RuntimeState _state;
    private readonly PoolRegistry _pools;
    private readonly ListenerSet _listeners;
    private readonly TelemetryHost _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly CertificateReloader _certificates;
    private readonly ConfigApplier _applier;
    private FileWatcher? _watcher;
    private bool _stopped; // shutdown began: no reload applies any more (read and written under _lock)

    public ConfigReloader(RuntimeState state, PoolRegistry pools, HealthChecker health, ListenerSet listeners, ProxyServices services, TelemetryHost telemetry, ILogger logger)
    {
        _state = state;
        _pools = pools;
        _listeners = listeners;
        _telemetry = telemetry;
        _time = services.Time;
        _logger = logger;
        _certificates = new CertificateReloader(state, listeners, services, _lock, logger);
        _applier = new ConfigApplier(state, pools, health, listeners, telemetry);
    }

    /// <summary>From now on an edit of the config file, or of a certificate or key it names, reloads it.</summary>
    public void Watch(BalancerConfig config)
    {
        _watcher = new FileWatcher([_state.ConfigPath], _time, () => ReloadAsync(ReloadTrigger.FileChange));
        _certificates.Watch(config);
        WarmedUp = Task.Run(() => WarmUpAsync(config));
    }

    /// <summary>
    /// Runs with an accepted config before it is applied (the demo starts the demo backends an edit adds, so they
    /// listen before the first probe); it must not throw.
    /// </summary>
    public Func<BalancerConfig, Task>? BeforeApply { get; init; }

    /// <summary>Ends when the reload path has run once at start (see <see cref="WarmUpAsync"/>).</summary>
    internal Task WarmedUp { get; private set; } = Task.CompletedTask;

    /// <inheritdoc cref="CertificateReloader.ReloadAsync"/>
    public Task<IReadOnlyList<string>> ReloadCertificatesAsync() => _certificates.ReloadAsync();

    public Task<ReloadResult> ReloadAsync(ReloadTrigger trigger) => ReloadAsync(trigger, null);

    /// <summary>Reloads now; <paramref name="caller"/> is who asked, for the timeline and the audit log (the admin API's client).</summary>
    public async Task<ReloadResult> ReloadAsync(ReloadTrigger trigger, TimelineActor? caller)
    {
        var actor = ReloadEvents.Actor(trigger, caller);
        AuditLog? audit = null;
        await _lock.WaitAsync();
        var counted = false;
        try
        {
            if (_stopped)
            {
                // The listeners are stopping: a reload now would start or retire some behind the shutdown's back.
                Log.ReloadRefusedShuttingDown(_logger, trigger);
                return ReloadResult.Rejected("", ["shutting down: the config is no longer reloaded"]);
            }

            var result = ConfigLoader.Load(_state.ConfigPath);
            if (!result.IsValid)
            {
                var errors = result.Errors.Where(e => e.IsError).ToList();
                return Reject(result.Hash, [.. errors.Select(e => e.ToString())], actor, new RejectedConfig(_time.GetUtcNow(), _state.ConfigPath, result.Text, errors, result.Hash));
            }

            var config = result.Config!;
            var problems = RunningConfigCheck.Problems(config, _state, _listeners, _telemetry.Config);
            if (problems.Count == 0 && OpenAuditLog(config, out audit) is { } auditProblem)
            {
                problems.Add(auditProblem);
            }

            if (problems.Count > 0)
            {
                var unplaced = problems.Select(p => new ConfigError(_state.ConfigPath, 0, 0, "", p)).ToList();
                return Reject(result.Hash, problems, actor, new RejectedConfig(_time.GetUtcNow(), _state.ConfigPath, result.Text, unplaced, result.Hash));
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

                ReloadEvents.Applied(_state.Timeline, _state.ConfigPath, result.Hash, changes, actor);
                return new ReloadResult(true, result.Hash, [], []);
            }

            if (BeforeApply is { } beforeApply)
            {
                await beforeApply(config);
            }

            // What /status and /metrics say of this reload moves before traffic can see the new pools, so an
            // observer never sees a new backend serve while the reload count still reads the old number.
            var overrides = ReloadEvents.Overrides(_pools);
            var running = _state.Config;
            _state.Loaded(config, result.Hash, result.Text, _time.GetUtcNow());
            _telemetry.Metrics.Reloaded(applied: true);
            counted = true;
            await _applier.ApplyAsync(running, config);
            _state.Failover?.Reconfigure(config.Failover!, ServedConfigFingerprint.Of(config));
            _state.Announce?.Reconfigure(config.Announce!);
            _certificates.ConfigApplied();
            if (_watcher is not null)
            {
                _certificates.Watch(config);
            }

            Log.ConfigReloaded(_logger, trigger, Short(result.Hash), ConfigDiff.Summarize(changes));
            // Reopened on every reload, so logrotate can move the file away and send SIGHUP.
            await SwapAuditLog(audit);
            audit = null;
            ReloadEvents.Applied(_state.Timeline, _state.ConfigPath, result.Hash, changes, actor);
            ReloadEvents.OverridesEnded(_state.Timeline, overrides, actor);
            _state.Finished();
            return new ReloadResult(true, result.Hash, changes, []);
        }
        catch (Exception e) when (e is StartupException or IOException or SocketException)
        {
            // Binding was checked up front, so this is a race with another process: say so. The reload was already
            // counted as applied (its pools serve), so it is not counted again as rejected.
            var error = $"{_state.ConfigPath}: reload partly applied: {e.Message}";
            if (!counted)
            {
                return Reject("", [error], actor, null);
            }

            Log.ConfigRejected(_logger, error);
            _state.Failed(error, _time.GetUtcNow());
            ReloadEvents.Rejected(_state.Timeline, _state.ConfigPath, [error], actor);
            _state.Finished();
            return ReloadResult.Rejected("", [error]);
        }
        finally
        {
            if (audit is not null)
            {
                await audit.DisposeAsync(); // opened for a reload that was then refused
            }

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
            if (_watcher is not null && ReferenceEquals(_state.Config, config) && RunningConfigCheck.Problems(config, _state, _listeners, _telemetry.Config).Count == 0)
            {
                _ = ConfigDiff.Summarize(ConfigDiff.Compute(config, config));
                await _applier.ApplyAsync(config, config);
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

    /// <summary>
    /// Shutdown: stops watching, waits for a reload in flight to finish (it may be starting a listener, which the
    /// shutdown must then stop too) and refuses any later one (SIGHUP or the admin API while draining).
    /// </summary>
    public async Task StopAsync()
    {
        StopWatching();
        await _lock.WaitAsync();
        _stopped = true;
        _lock.Release();
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

    private ReloadResult Reject(string hash, IReadOnlyList<string> errors, TimelineActor actor, RejectedConfig? file)
    {
        _telemetry.Metrics.Reloaded(applied: false);
        foreach (var error in errors)
        {
            Log.ConfigRejected(_logger, error);
        }

        _state.Rejected(string.Join(Environment.NewLine, errors), _time.GetUtcNow(), file);
        ReloadEvents.Rejected(_state.Timeline, _state.ConfigPath, errors, actor);
        return ReloadResult.Rejected(hash, errors);
    }

    /// <summary>Opens the audit log <paramref name="config"/> names (null when none); the problem when it cannot be opened.</summary>
    private string? OpenAuditLog(BalancerConfig config, out AuditLog? audit)
    {
        audit = null;
        if (config.Admin.AuditLog is not { } target)
        {
            return null;
        }

        try
        {
            audit = AuditLog.Open(target, Path.GetDirectoryName(Path.GetFullPath(_state.ConfigPath))!, held: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{_state.ConfigPath}: admin.auditLog: cannot open '{target}' for appending: {e.Message}";
        }
    }

    private async Task SwapAuditLog(AuditLog? audit)
    {
        if (_state.Timeline.SetAudit(audit) is { } old)
        {
            await old.DisposeAsync(); // its last lines first: the new one, often on the same file, starts where they end
        }

        audit?.Begin();
    }
}

using Balancer.Core.Announce;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Telemetry;

namespace Balancer.Announce;

/// <summary>
/// The I/O around <see cref="AnnounceMachine"/>: every <c>interval</c> it checks the node (listeners serving, tracked
/// pools with a healthy backend), feeds the check to the machine and makes the interface agree with its decision —
/// renewing each address with its kernel lifetime while announced, removing it while not. A routing daemon on the
/// node (BIRD's <c>direct</c> protocol, FRR's <c>redistribute connected</c>) announces what is on the interface.
/// Each tick re-applies the whole state, so an address removed by hand comes back and a failed change is retried.
/// From start until disposed a local route takes the addresses' traffic in whether they are on the interface or not,
/// so on shutdown it withdraws first (<see cref="RequestShutdown"/>, on the signal's thread) and still serves the
/// connections on their way for <c>withdrawDelay</c> while the router converges (<see cref="ShutdownAsync"/>); then
/// the listeners drain.
/// </summary>
internal sealed class AnnounceService : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly AnnounceMachine _machine;
    private readonly AnnouncedInterface _interface;
    private readonly PoolRegistry _pools;
    private readonly ReconnectHint _reconnect;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private AnnounceConfig _config;
    private long? _withdrawnAt;
    private bool _everAnnounced;
    private bool _disposed;

    private AnnounceService(AnnounceConfig config, IAddressActions actions, PoolRegistry pools, ReconnectHint reconnect, ILogger logger, TimeProvider time)
    {
        _config = config;
        _interface = new AnnouncedInterface(config, actions, logger);
        _pools = pools;
        _reconnect = reconnect;
        _logger = logger;
        _time = time;
        _machine = new AnnounceMachine(AnnounceOptions.From(config), time);
        _timer = time.CreateTimer(_ => Tick(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The running <c>announce</c> block.</summary>
    public AnnounceConfig Config => _config;

    /// <summary>The addresses and their interface.</summary>
    public AnnouncedInterface Interface => _interface;

    /// <summary>The machine's view, for <c>/status</c> and the metrics.</summary>
    public AnnounceSnapshot Snapshot
    {
        get
        {
            lock (_lock)
            {
                return _machine.GetSnapshot();
            }
        }
    }

    /// <summary>
    /// Starts checking, after the listeners are up: the first check runs now and removes addresses a crashed
    /// predecessor left (the node starts withdrawn); <paramref name="actions"/> replaces rtnetlink (tests).
    /// </summary>
    public static AnnounceService Start(AnnounceConfig config, PoolRegistry pools, ReconnectHint reconnect, ILoggerFactory logs, TimeProvider time, IAddressActions? actions = null)
    {
        var service = new AnnounceService(config, actions ?? new NetlinkAddressActions(), pools, reconnect, logs.CreateLogger("Balancer.Announce"), time);
        Log.AnnounceStarted(service._logger, service._interface.Names, config.Interface, string.Join(", ", config.Track?.Pools ?? []), config.Rise, config.Fall, config.Interval.TotalSeconds, config.AddressLifetime.TotalSeconds);
        service.Tick();
        service._timer.Change(config.Interval, config.Interval);
        return service;
    }

    /// <summary>The stop signal's first act: withdraw now, on the caller's thread, before any logging or draining. Safe to call twice.</summary>
    public void RequestShutdown()
    {
        lock (_lock)
        {
            if (_machine.Stop() is { } transition)
            {
                Log.AnnounceStateChanged(_logger, transition.From, transition.To, transition.Reason);
                Apply();
                Log.AnnounceShutdown(_logger, _interface.Names, Math.Max(0, Remaining().TotalSeconds));
            }
        }
    }

    /// <summary>Withdraws (if not yet) and waits until <c>withdrawDelay</c> has passed since the addresses went: the listeners serve meanwhile.</summary>
    public async Task ShutdownAsync()
    {
        RequestShutdown();
        TimeSpan remaining;
        lock (_lock)
        {
            remaining = Remaining();
        }

        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, _time);
        }
    }

    /// <summary>A reload: new hysteresis and tracked pools at once; addresses that leave (or a new interface) change now.</summary>
    public void Reconfigure(AnnounceConfig next)
    {
        lock (_lock)
        {
            _interface.Reconfigure(next);
            var interval = next.Interval != _config.Interval;
            _config = next;
            _machine.Reconfigure(AnnounceOptions.From(next));
            Apply();
            if (interval)
            {
                _timer.Change(next.Interval, next.Interval);
            }
        }

        Log.AnnounceReconfigured(_logger, _interface.Names, next.Interface, string.Join(", ", next.Track?.Pools ?? []), next.Rise, next.Fall);
    }

    /// <summary>Stops checking and withdraws, if no shutdown did; then, the listeners being done, the node no longer takes the addresses' traffic in.</summary>
    public async ValueTask DisposeAsync()
    {
        RequestShutdown();
        lock (_lock)
        {
            if (!_disposed)
            {
                _interface.Release();
            }

            _disposed = true;
        }

        await _timer.DisposeAsync();
    }

    /// <summary>One check: fed to the machine, its transitions logged, the interface made to agree. Ticks never overlap.</summary>
    private void Tick()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var stopping = _machine.State == AnnounceState.Stopping;
            var health = AnnounceHealth.Check(!stopping, _config.Track?.Pools ?? [], _pools);
            foreach (var transition in _machine.Observe(health))
            {
                Log.AnnounceStateChanged(_logger, transition.From, transition.To, transition.Reason);
            }

            if (!stopping)
            {
                Apply();
            }
        }
    }

    /// <summary>Makes the interface agree with the machine, and the listeners ask clients to move while withdrawn; under the lock.</summary>
    private void Apply()
    {
        var announced = _machine.State == AnnounceState.Announced;
        _interface.Apply(announced);
        if (announced)
        {
            _everAnnounced = true;
            _withdrawnAt = null;
            _reconnect.Set(null);
        }
        else if (_everAnnounced)
        {
            _withdrawnAt ??= _time.GetTimestamp();
            _reconnect.Set(_interface.Addresses.Select(a => a.Address));
        }
    }

    /// <summary>How much longer a stopping node serves: <c>withdrawDelay</c> from the withdrawal, none if it never announced.</summary>
    private TimeSpan Remaining() =>
        _withdrawnAt is { } at ? _config.WithdrawDelay - _time.GetElapsedTime(at) : TimeSpan.Zero;
}

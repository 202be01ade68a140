using Balancer.Core.Configuration;
using Balancer.Core.Grpc;
using Balancer.Core.Model;

namespace Balancer.Core.Health;

/// <summary>
/// Decides the health of a pool's backends from active probe results and passive signals on
/// live traffic, and applies each verdict to the pool (which rebuilds its snapshot). Control
/// path only, except <see cref="OnResponse"/>, which the hot path calls and which is lock-free
/// until a 5xx streak reaches the ejection threshold.
/// </summary>
public sealed class PoolHealthMonitor : IDisposable
{
    private readonly object _lock = new();
    private readonly Pool _pool;
    private readonly TimeProvider _time;
    private readonly Dictionary<BackendState, BackendHealthTracker> _trackers = [];
    private readonly Dictionary<BackendState, ITimer> _readmitTimers = [];

    /// <summary>An early readmit timer is re-armed for at least this long, so it cannot spin.</summary>
    private static readonly TimeSpan MinReschedule = TimeSpan.FromMilliseconds(1);

    internal PoolHealthMonitor(Pool pool, TimeProvider time)
    {
        _pool = pool;
        _time = time;
    }

    /// <summary>Raised once per backend health change, after the pool applied it.</summary>
    public event Action<HealthTransition>? Changed;

    /// <summary>Raised when the pool enters or leaves panic mode (true = entered).</summary>
    public event Action<Pool, bool>? PanicChanged;

    /// <summary>Records an active probe result.</summary>
    public void OnProbe(BackendState backend, ProbeResult result)
    {
        var health = _pool.Config.Health ?? new HealthConfig();
        backend.OnProbed(result.Success);
        lock (_lock)
        {
            var tracker = Tracker(backend);
            var now = _time.GetTimestamp();
            var reason = tracker.OnProbe(result, health.Rise, health.Fall, now);
            if (!tracker.IsEjected(now))
            {
                DropReadmitTimer(backend);
            }

            // Level-triggered as well as edge-triggered: whatever the probe says, the backend's
            // shown health catches up with the verdict (a lost readmission cannot outlive a probe).
            if (reason is not null || tracker.Effective(now) != backend.Health)
            {
                Apply(backend, reason ?? EjectionEnded(tracker));
            }
        }
    }

    /// <summary>Live traffic could not connect to, or lost the connection with, the backend: eject it at once.</summary>
    public void OnConnectFailure(BackendState backend, string detail) => Eject(backend, $"passive: {detail}");

    /// <summary>
    /// Counts streaks of failed responses on live traffic when the pool ejects on them: a 5xx, or a gRPC call that ended
    /// with one of the pool's <c>grpcFailureStatuses</c> (<paramref name="grpcStatus"/>; <see cref="GrpcStatusCodes.None"/>
    /// for a request that is not a gRPC call).
    /// </summary>
    public void OnResponse(BackendState backend, int status, int grpcStatus = GrpcStatusCodes.None)
    {
        var passive = _pool.Config.Passive;
        var threshold = passive.Consecutive5xx;
        if (threshold <= 0)
        {
            return;
        }

        var grpcFailure = grpcStatus > GrpcStatusCodes.Ok && IsListed(passive.GrpcFailureStatuses, grpcStatus);
        if (status < 500 && !grpcFailure)
        {
            if (Volatile.Read(ref backend.Consecutive5xx) != 0)
            {
                Volatile.Write(ref backend.Consecutive5xx, 0);
            }

            return;
        }

        if (Interlocked.Increment(ref backend.Consecutive5xx) == threshold)
        {
            Eject(backend, grpcFailure && status < 500
                ? $"passive: {threshold} consecutive 5xx responses or gRPC failures, last: grpc-status {grpcStatus} {GrpcStatusCodes.Name(grpcStatus)}"
                : $"passive: {threshold} consecutive 5xx responses, last: {status}");
            Volatile.Write(ref backend.Consecutive5xx, 0);
        }
    }

    /// <summary>
    /// A reload changed the pool's config: without active probes every backend is assumed to pass
    /// (a pool whose probe was turned off must not keep backends down forever); every backend's
    /// shown health is brought in line with the verdict.
    /// </summary>
    internal void OnConfigChanged(BackendState[] backends)
    {
        var probed = _pool.Config.Health is not (null or { Probe: ProbeKinds.None });
        lock (_lock)
        {
            foreach (var backend in backends)
            {
                var tracker = Tracker(backend);
                if (!probed)
                {
                    tracker.AssumeUp();
                    Apply(backend, "active probe turned off");
                }
                else if (tracker.Effective(_time.GetTimestamp()) != backend.Health)
                {
                    Apply(backend, EjectionEnded(tracker));
                }
            }
        }
    }

    /// <summary>Brings a backend's shown health in line with the verdict (an operator enabled it again).</summary>
    internal void Reconcile(BackendState backend)
    {
        lock (_lock)
        {
            if (_trackers.TryGetValue(backend, out var tracker) && tracker.Effective(_time.GetTimestamp()) != backend.Health)
            {
                Apply(backend, EjectionEnded(tracker));
            }
        }
    }

    /// <summary>Stops tracking a backend removed from the pool.</summary>
    public void Forget(BackendState backend)
    {
        lock (_lock)
        {
            _trackers.Remove(backend);
            DropReadmitTimer(backend);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var timer in _readmitTimers.Values)
            {
                timer.Dispose();
            }

            _readmitTimers.Clear();
        }
    }

    private static bool IsListed(IReadOnlyList<string> names, int code)
    {
        var name = GrpcStatusCodes.Name(code);
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private void Eject(BackendState backend, string reason)
    {
        var passive = _pool.Config.Passive;
        lock (_lock)
        {
            var tracker = Tracker(backend);
            if (tracker.Effective(_time.GetTimestamp()) == BackendHealth.Down && backend.Health == BackendHealth.Down)
            {
                return; // Already out: requests already in flight when it died don't extend the penalty.
            }

            var length = tracker.Eject(_time.GetTimestamp(), _time.TimestampFrequency, passive.EjectTime, passive.MaxEjectTime);
            DropReadmitTimer(backend);
            ITimer? timer = null;
            // The callback takes _lock, which we hold until `timer` is assigned.
            timer = _time.CreateTimer(_ => Readmit(backend, timer!), null, length, Timeout.InfiniteTimeSpan);
            _readmitTimers[backend] = timer;
            Apply(backend, $"{reason} (ejected for {Durations.Format(length)})");
        }
    }

    /// <summary>
    /// The readmit timer fired. A timer may fire early (TimeProvider timers run up to a few ms before
    /// a Stopwatch deadline), late, or after it was replaced: an early one waits out the rest, a stale
    /// one (of an earlier ejection, or already handled) does nothing, so the readmission is never lost.
    /// </summary>
    private void Readmit(BackendState backend, ITimer timer)
    {
        lock (_lock)
        {
            if (!_readmitTimers.TryGetValue(backend, out var current) || !ReferenceEquals(current, timer)
                || !_trackers.TryGetValue(backend, out var tracker))
            {
                return;
            }

            var now = _time.GetTimestamp();
            if (tracker.IsEjected(now))
            {
                var rest = TimeSpan.FromSeconds((tracker.EjectedUntil - now) / (double)_time.TimestampFrequency);
                timer.Change(rest < MinReschedule ? MinReschedule : rest, Timeout.InfiniteTimeSpan);
                return;
            }

            DropReadmitTimer(backend);
            Apply(backend, EjectionEnded(tracker));
        }
    }

    private static string EjectionEnded(BackendHealthTracker tracker) =>
        $"passive ejection ended after {Durations.Format(tracker.EjectLength)} (ejectTime)";

    private void DropReadmitTimer(BackendState backend)
    {
        if (_readmitTimers.Remove(backend, out var timer))
        {
            timer.Dispose();
        }
    }

    private BackendHealthTracker Tracker(BackendState backend)
    {
        if (!_trackers.TryGetValue(backend, out var tracker))
        {
            tracker = new BackendHealthTracker();
            if (_pool.Config.Health is null or { Probe: ProbeKinds.None })
            {
                tracker.AssumeUp();
            }

            _trackers[backend] = tracker;
        }

        return tracker;
    }

    private void Apply(BackendState backend, string reason)
    {
        var next = Tracker(backend).Effective(_time.GetTimestamp());
        var from = backend.Health;
        var panicBefore = _pool.Snapshot.Panic;
        if (next == from || !_pool.SetHealth(backend, next, reason))
        {
            return;
        }

        if (from == BackendHealth.Up && next == BackendHealth.Down)
        {
            // Only a backend that took traffic is ejected; one never up (first probes failing) is not.
            backend.OnEjected(passive: reason.StartsWith("passive:", StringComparison.Ordinal));
        }

        Changed?.Invoke(new HealthTransition(backend, from, next, reason));
        var panicAfter = _pool.Snapshot.Panic;
        if (panicAfter != panicBefore)
        {
            PanicChanged?.Invoke(_pool, panicAfter);
        }
    }
}

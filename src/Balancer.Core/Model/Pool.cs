using Balancer.Core.Configuration;
using Balancer.Core.Health;
using Balancer.Core.LoadBalancing;

namespace Balancer.Core.Model;

/// <summary>
/// A pool's backends and the one reference requests read: <see cref="Snapshot"/>. Control code
/// (health, drain, reload) changes state through this class, which rebuilds the snapshot under
/// a writer-only lock. While a backend is in slow start, a timer refreshes the snapshot so its
/// weight ramps.
/// </summary>
public sealed class Pool : IDisposable
{
    private readonly object _writeLock = new();
    private readonly TimeProvider _time;
    private readonly SlowStartRamp _ramp;
    private PoolSnapshot _snapshot;

    /// <summary>Creates a pool from its config. Backends start <see cref="BackendHealth.Unknown"/> unless the pool has no probe.</summary>
    public Pool(string name, PoolConfig config, IBalancingAlgorithm algorithm, TimeProvider time)
    {
        Name = name;
        Config = config;
        _time = time;
        _ramp = new SlowStartRamp(time, Refresh);
        var backends = new BackendState[config.Backends.Count];
        for (var i = 0; i < backends.Length; i++)
        {
            backends[i] = NewBackend(config.Backends[i]);
        }

        _snapshot = Build(algorithm, backends);
        Health = new PoolHealthMonitor(this, time);
    }

    /// <summary>Health decisions for this pool's backends.</summary>
    public PoolHealthMonitor Health { get; }

    /// <summary>Requests in flight over all backends, capped by <see cref="PoolConfig.MaxPendingRequests"/>.</summary>
    public InFlightGate Requests { get; } = new();

    /// <summary>Affinity and hashing event counts.</summary>
    public PoolCounters Counters { get; } = new();

    /// <summary>Of the answers the pool gave without a backend (<see cref="PoolCounters.Unrouted"/>), Balancer's 5xx and the 429s, for the dashboard.</summary>
    public TrafficCounters Refused { get; } = new();

    /// <summary>The pool's name.</summary>
    public string Name { get; }

    /// <summary>The pool's current config.</summary>
    public PoolConfig Config { get; private set; }

    /// <summary>The current immutable view; read it once per request.</summary>
    public PoolSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Finds a backend by address; null when the pool has none.</summary>
    public BackendState? Find(string address)
    {
        foreach (var b in Snapshot.All)
        {
            if (string.Equals(b.Address, address, StringComparison.Ordinal))
            {
                return b;
            }
        }

        return null;
    }

    /// <summary>Records a health verdict; returns true when it changed the backend's health.</summary>
    public bool SetHealth(BackendState backend, BackendHealth health, string reason)
    {
        lock (_writeLock)
        {
            if (backend.Health == health)
            {
                return false;
            }

            var wasDown = backend.Health == BackendHealth.Down || (backend.SlowStartOnFirstUp && backend.Health == BackendHealth.Unknown);
            backend.Health = health;
            backend.HealthReason = reason;
            backend.HealthChangedAt = _time.GetUtcNow();
            // Slow start applies to a backend coming back from down, and to any backend of a
            // running pool that is added later (handled by reload); not at first start-up.
            if (health == BackendHealth.Up && wasDown && Config.SlowStart > TimeSpan.Zero)
            {
                backend.SlowStartSince = _time.GetTimestamp();
            }

            Rebuild();
            return true;
        }
    }

    /// <summary>Stops (or resumes) new traffic to a backend; in-flight work finishes. False when it already was in that state.</summary>
    public bool SetDraining(BackendState backend, bool draining)
    {
        lock (_writeLock)
        {
            // Decided under the lock, so of concurrent identical requests exactly one reports the change.
            if (backend.Draining == draining)
            {
                return false;
            }

            backend.Draining = draining;
            Rebuild();
        }

        if (!draining)
        {
            Health.Reconcile(backend); // outside our lock: the monitor calls SetHealth under its own
        }

        return true;
    }

    /// <summary>
    /// Sets a runtime weight (0–256) in place of the configured one, or with null goes back to the configured weight; a
    /// weight equal to the configured one is no override. Kept until a reload changes the backend's weight or removes it.
    /// </summary>
    /// <returns>The weight in effect before.</returns>
    public int SetWeightOverride(BackendState backend, int? weight)
    {
        lock (_writeLock)
        {
            var before = backend.Weight;
            backend.WeightOverride = weight == backend.ConfiguredWeight ? null : weight;
            backend.Weight = backend.WeightOverride ?? backend.ConfiguredWeight;
            Rebuild();
            return before;
        }
    }

    /// <summary>
    /// Applies a reloaded config as a diff: backends kept by address keep their health, counters
    /// and latency history; new ones start unprobed (or up, without probes) and ramp with slow
    /// start; removed ones stop taking traffic and are forgotten once drained (<see cref="Sweep"/>).
    /// </summary>
    /// <returns>The backends added and the ones newly removed.</returns>
    public (IReadOnlyList<BackendState> Added, IReadOnlyList<BackendState> Removed) Apply(PoolConfig config, Func<IBalancingAlgorithm> algorithm)
    {
        // The monitor calls back into SetHealth under its own lock: never call it holding ours.
        BackendState[] all;
        List<BackendState> added = [];
        List<BackendState> removed = [];
        List<BackendState> returned = [];
        lock (_writeLock)
        {
            var old = Snapshot;
            var byAddress = old.All.ToDictionary(b => b.Address, StringComparer.Ordinal);
            Config = config;
            var next = new List<BackendState>(config.Backends.Count);
            foreach (var b in config.Backends)
            {
                var returning = byAddress.Remove(b.Address, out var kept) && kept.Removed;
                if (kept is not null && !returning)
                {
                    if (kept.ConfiguredWeight != b.Weight)
                    {
                        // The reload changed this backend: its runtime weight gives way to the new configured one.
                        kept.ConfiguredWeight = b.Weight;
                        kept.WeightOverride = null;
                    }

                    kept.Weight = kept.WeightOverride ?? kept.ConfiguredWeight;
                    next.Add(kept);
                    continue;
                }

                if (returning)
                {
                    // Removed by an earlier reload and not swept yet: it comes back as it would once swept, a new
                    // backend (probed anew, its admin drain and runtime weight gone), so timing never decides what a
                    // reload means. The same state keeps its counters, so /metrics series never go backwards.
                    kept!.ConfiguredWeight = b.Weight;
                    kept.WeightOverride = null;
                    kept.Weight = b.Weight;
                    kept.Removed = false;
                    kept.Draining = false;
                    Renew(kept);
                    returned.Add(kept);
                }
                else
                {
                    kept = NewBackend(b);
                }

                kept.SlowStartOnFirstUp = true;
                if (kept.Health == BackendHealth.Up && config.SlowStart > TimeSpan.Zero)
                {
                    kept.SlowStartSince = _time.GetTimestamp();
                }

                added.Add(kept);
                next.Add(kept);
            }

            foreach (var gone in byAddress.Values)
            {
                if (!gone.Removed)
                {
                    gone.Removed = true;
                    gone.WeightOverride = null; // a backend added back later starts from its configured weight
                    gone.RemovedAt = _time.GetTimestamp();
                    removed.Add(gone);
                }

                next.Add(gone); // kept, draining, until Sweep forgets it
            }

            var chosen = old.Algorithm.Name == config.Algorithm ? old.Algorithm : algorithm();
            all = [.. next];
            Volatile.Write(ref _snapshot, Build(chosen, all));
        }

        foreach (var b in returned)
        {
            Health.Forget(b); // its old verdict and ejection history went with its removal
        }

        Health.OnConfigChanged(all);
        return (added, removed);
    }

    /// <summary>Forgets removed backends whose in-flight work is done or whose drain time is up; returns them.</summary>
    public IReadOnlyList<BackendState> Sweep(TimeSpan drainTimeout)
    {
        List<BackendState> gone;
        lock (_writeLock)
        {
            var now = _time.GetTimestamp();
            gone = [.. Snapshot.All.Where(b => b.Removed && (b.InFlight == 0 || _time.GetElapsedTime(b.RemovedAt, now) >= drainTimeout))];
            if (gone.Count > 0)
            {
                Volatile.Write(ref _snapshot, Build(Snapshot.Algorithm, [.. Snapshot.All.Except(gone)]));
            }
        }

        foreach (var b in gone)
        {
            Health.Forget(b);
        }

        return gone;
    }

    /// <summary>Rebuilds the snapshot from current backend state (e.g. after a weight change).</summary>
    public void Refresh()
    {
        lock (_writeLock)
        {
            Rebuild();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_writeLock)
        {
            _ramp.Dispose();
        }

        Health.Dispose();
    }

    private BackendState NewBackend(BackendConfig b)
    {
        var backend = new BackendState(Name, b.Address, b.Weight, _time, Config.DecayTime);
        Renew(backend);
        return backend;
    }

    /// <summary>The health a backend starts with: unknown until its first probe, or up in a pool without probes.</summary>
    private void Renew(BackendState backend)
    {
        var probed = Config.Health is { Probe: not ProbeKinds.None };
        backend.Health = probed ? BackendHealth.Unknown : BackendHealth.Up;
        backend.HealthReason = probed ? "not probed yet" : "no active probe";
        backend.HealthChangedAt = _time.GetUtcNow();
    }

    private void Rebuild() => Volatile.Write(ref _snapshot, Build(_snapshot.Algorithm, _snapshot.All));

    private PoolSnapshot Build(IBalancingAlgorithm algorithm, BackendState[] all)
    {
        var snapshot = PoolSnapshotBuilder.Build(Name, Config, algorithm, all, _time.GetTimestamp(), _time.TimestampFrequency, out var ramping, _snapshot);
        _ramp.Schedule(ramping, Config.SlowStart);
        return snapshot;
    }
}

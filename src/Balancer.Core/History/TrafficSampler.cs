using Balancer.Core.Model;

namespace Balancer.Core.History;

/// <summary>
/// Takes one sample of every pool, backend and <c>tcp</c> listener into a <see cref="TrafficHistory"/>: rates from the
/// counters' growth since the last sample divided by the time that really passed, quantiles from the durations counted
/// in between, in-flight and health as they are. A timer calls it once a second; a call that comes early (less than
/// <see cref="MinInterval"/> after the last one) or twice is ignored, and a late one makes one sample over the longer
/// span, so neither distorts a rate. One caller at a time.
/// </summary>
public sealed class TrafficSampler(TrafficHistory history, TimeProvider time)
{
    /// <summary>Calls closer together than this are ignored.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(500);

    private readonly long[] _read = new long[LatencyHistogram.BucketCount];
    private readonly long[] _delta = new long[LatencyHistogram.BucketCount];
    private readonly long[] _poolDelta = new long[LatencyHistogram.BucketCount];
    private readonly Dictionary<string, PoolHistory> _pools = new(StringComparer.Ordinal);
    private readonly ListenerSampler _listeners = new(history);
    private long? _last;

    /// <summary>Samples now; false when the call came too soon after the last one and was ignored.</summary>
    public bool Sample(IReadOnlyDictionary<string, Pool> pools, IReadOnlyList<KeyValuePair<string, ListenerCounters>> listeners)
    {
        var now = time.GetTimestamp();
        if (_last is { } last && time.GetElapsedTime(last, now) < MinInterval)
        {
            return false;
        }

        // The first sample has no earlier counts to subtract: its rates are unknown (NaN), its levels are real.
        var seconds = _last is { } previous ? time.GetElapsedTime(previous, now).TotalSeconds : double.NaN;
        _last = now;
        var sequence = history.Count;
        history.SetTime(sequence, time.GetUtcNow().ToUnixTimeMilliseconds());
        SamplePools(pools, sequence, seconds);
        _listeners.Sample(listeners, sequence, seconds);
        history.Publish(sequence + 1);
        return true;
    }

    private void SamplePools(IReadOnlyDictionary<string, Pool> pools, long sequence, double seconds)
    {
        var changed = _pools.Count != pools.Count;
        foreach (var (name, pool) in pools)
        {
            if (!_pools.TryGetValue(name, out var poolHistory) || poolHistory.Source != pool)
            {
                _pools[name] = poolHistory = new PoolHistory(pool, history) { PreviousRefused = TrafficCounts.Of(pool) };
                changed = true;
            }

            SamplePool(poolHistory, sequence, seconds);
        }

        if (changed)
        {
            foreach (var gone in _pools.Keys.Where(name => !pools.ContainsKey(name)).ToList())
            {
                _pools.Remove(gone);
            }

            history.SetPools(new Dictionary<string, PoolHistory>(_pools, StringComparer.Ordinal));
        }
    }

    private void SamplePool(PoolHistory pool, long sequence, double seconds)
    {
        var snapshot = pool.Source.Snapshot;
        Array.Clear(_poolDelta);
        var sum = default(TrafficCounts);
        var inFlight = 0;
        foreach (var backend in Members(pool, snapshot.All))
        {
            sum += SampleBackend(backend, sequence, seconds);
            inFlight += backend.Source.InFlight;
        }

        // Each backend's growth is from its own previous counts, so one removed or added in between moves no rate.
        var refused = TrafficCounts.Of(pool.Source);
        sum += refused - pool.PreviousRefused;
        pool.PreviousRefused = refused;
        pool.Requests.Write(sequence, sum.Started / seconds);
        pool.Backend5xx.Write(sequence, sum.Backend5xx / seconds);
        pool.ProxyErrors.Write(sequence, sum.ProxyErrors / seconds);
        pool.Limited.Write(sequence, sum.Limited / seconds);
        WriteQuantiles(pool.P50, pool.P99, _poolDelta, sequence, seconds);
        pool.InFlight.Write(sequence, inFlight);
        pool.Available.Write(sequence, snapshot.Available.Length);
    }

    /// <summary>Samples one backend into its series and the pool's duration window; returns its growth.</summary>
    private TrafficCounts SampleBackend(BackendHistory backend, long sequence, double seconds)
    {
        var source = backend.Source;
        var now = TrafficCounts.Of(source);
        var growth = now - backend.Previous;
        backend.Previous = now;
        source.Traffic.Durations.CopyTo(_read);
        for (var k = 0; k < _read.Length; k++)
        {
            _delta[k] = _read[k] - backend.PreviousDurations[k];
            _poolDelta[k] += _delta[k];
            backend.PreviousDurations[k] = _read[k];
        }

        backend.Requests.Write(sequence, growth.Started / seconds);
        backend.Errors.Write(sequence, (growth.Backend5xx + growth.Failures) / seconds);
        WriteQuantiles(backend.P50, backend.P99, _delta, sequence, seconds);
        backend.InFlight.Write(sequence, source.InFlight);
        backend.Health.Write(sequence, HealthCode.Of(source));
        return growth;
    }

    private static void WriteQuantiles(Series p50, Series p99, long[] window, long sequence, double seconds)
    {
        long count = 0;
        foreach (var c in window)
        {
            count += c;
        }

        var known = !double.IsNaN(seconds);
        p50.Write(sequence, known ? LatencyHistogram.Quantile(window, count, 0.5) : double.NaN);
        p99.Write(sequence, known ? LatencyHistogram.Quantile(window, count, 0.99) : double.NaN);
    }

    /// <summary>The histories of the pool's backends now, in its order: kept by backend, new ones from zero counts.</summary>
    private IReadOnlyList<BackendHistory> Members(PoolHistory pool, BackendState[] all)
    {
        if (ReferenceEquals(pool.LastMembers, all))
        {
            return pool.Backends;
        }

        var members = new BackendHistory[all.Length];
        for (var i = 0; i < all.Length; i++)
        {
            // Counted from zero since it was made, at most one interval ago (first sample: rates unknown anyway).
            members[i] = pool.Backend(all[i].Address) is { } kept && kept.Source == all[i] ? kept : new BackendHistory(all[i], history);
        }

        pool.SetBackends(members);
        pool.LastMembers = all;
        return members;
    }
}

using System.Collections.Concurrent;
using Balancer.Core.Configuration;

namespace Balancer.Core.RateLimiting;

/// <summary>
/// The token buckets of one route's rate limit, one per key, in bounded memory. Each bucket is one number, its
/// theoretical arrival time (the generic cell rate algorithm of ITU-T I.371, a token bucket in other words): a request
/// is let in when the bucket, refilled at <c>requestsPerSecond</c> since its last use, still holds a token out of
/// <c>burst</c>. Updating it is one compare-and-swap: no lock, not even for the one bucket of a <c>route</c> key.
/// </summary>
/// <remarks>
/// Memory: at most <see cref="RateLimitConfig.MaxKeys"/> keys are tracked. A key whose bucket has refilled completely
/// carries no information and expires: such keys are dropped by a sweep that runs when the table is full (and at most
/// once per <see cref="SweepInterval"/> otherwise, as keys are added). While the table is full of keys still limited,
/// a new key shares one overflow bucket with every other new key: a flood of distinct client addresses is limited as
/// if it were one client, and keys already known keep their own buckets.
/// We do not use System.Threading.RateLimiting's <c>PartitionedRateLimiter</c>: it has no cap on partitions, replenishes
/// from a timer of its own that a test clock cannot drive, and allocates a lease per request.
/// </remarks>
public sealed class RateLimitTable
{
    /// <summary>Longest time between two sweeps of expired keys while keys are being added.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<ulong, Bucket> _buckets = new();
    private readonly Bucket _overflow = new();
    private readonly TimeProvider _time;
    private readonly long _interval;   // timestamp ticks per token
    private readonly long _capacity;   // burst × interval
    private readonly long _sweepTicks;
    private long _lastSweep;
    private int _count;
    private int _sweeping;
    private long _limited;

    /// <summary>Creates an empty table for <paramref name="config"/>; <paramref name="limited"/> carries on the count of a table it replaces.</summary>
    public RateLimitTable(RateLimitConfig config, TimeProvider time, long limited = 0)
    {
        Config = config;
        Key = RequestKey.TryParse(config.Key, Configuration.Validation.TrafficPolicyValidator.RateLimitKeys, out var key, out _) ? key : RequestKey.ClientIp;
        _limited = limited;
        _time = time;
        _interval = Math.Max(1, (long)(time.TimestampFrequency / config.RequestsPerSecond));
        _capacity = _interval * config.EffectiveBurst;
        _sweepTicks = (long)(SweepInterval.TotalSeconds * time.TimestampFrequency);
        _lastSweep = time.GetTimestamp();
    }

    /// <summary>The limit this table applies.</summary>
    public RateLimitConfig Config { get; }

    /// <summary>What a bucket belongs to (<see cref="RateLimitConfig.Key"/>, parsed).</summary>
    public RequestKey Key { get; }

    /// <summary>Keys tracked now (never more than <see cref="RateLimitConfig.MaxKeys"/>).</summary>
    public int TrackedKeys => Volatile.Read(ref _count);

    /// <summary>Requests refused since the route got its limit (a reload that changes the limit carries the count on).</summary>
    public long Limited => Interlocked.Read(ref _limited);

    /// <summary>
    /// Takes a token from the bucket of key <paramref name="key"/>; false when it is empty, with
    /// <paramref name="retryAfter"/> the time until it holds one again.
    /// </summary>
    public bool TryAcquire(ulong key, out TimeSpan retryAfter)
    {
        var now = _time.GetTimestamp();
        var bucket = Find(key, now);
        while (true)
        {
            var tat = Volatile.Read(ref bucket.Tat);
            var next = Math.Max(tat, now) + _interval;
            if (next - now > _capacity)
            {
                Interlocked.Increment(ref _limited);
                retryAfter = TimeSpan.FromSeconds((double)(next - now - _capacity) / _time.TimestampFrequency);
                return false;
            }

            if (Interlocked.CompareExchange(ref bucket.Tat, next, tat) == tat)
            {
                retryAfter = TimeSpan.Zero;
                return true;
            }
        }
    }

    /// <summary>Drops the keys whose buckets are full again (idle long enough to have forgotten them); returns how many.</summary>
    public int Sweep()
    {
        var now = _time.GetTimestamp();
        Volatile.Write(ref _lastSweep, now);
        var dropped = 0;
        foreach (var (key, bucket) in _buckets)
        {
            // A bucket whose arrival time has passed is full: a new one for the key would be the same.
            if (Volatile.Read(ref bucket.Tat) <= now && _buckets.TryRemove(new KeyValuePair<ulong, Bucket>(key, bucket)))
            {
                Interlocked.Decrement(ref _count);
                dropped++;
            }
        }

        return dropped;
    }

    private Bucket Find(ulong key, long now)
    {
        if (_buckets.TryGetValue(key, out var bucket))
        {
            return bucket;
        }

        if (Volatile.Read(ref _count) >= Config.MaxKeys || now - Volatile.Read(ref _lastSweep) >= _sweepTicks)
        {
            TrySweep(now);
        }

        // Reserve a place first, so concurrent adds cannot overshoot the cap.
        if (!Model.InFlightGate.TryIncrement(ref _count, Config.MaxKeys))
        {
            return _overflow;
        }

        var added = new Bucket { Tat = now };
        var stored = _buckets.GetOrAdd(key, added);
        if (stored != added)
        {
            Interlocked.Decrement(ref _count); // another request added the key first
        }

        return stored;
    }

    private void TrySweep(long now)
    {
        // One sweeper at a time, and not more than once per interval while the table stays full of live keys:
        // a flood would otherwise make every new key scan the whole table.
        if (now - Volatile.Read(ref _lastSweep) < _sweepTicks / 10 && Volatile.Read(ref _count) >= Config.MaxKeys)
        {
            return;
        }

        if (Interlocked.Exchange(ref _sweeping, 1) == 0)
        {
            try
            {
                Sweep();
            }
            finally
            {
                Volatile.Write(ref _sweeping, 0);
            }
        }
    }

    private sealed class Bucket
    {
        public long Tat;
    }
}

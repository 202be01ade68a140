using Balancer.Core.Configuration;
using Balancer.Core.Model;

namespace Balancer.Failover;

/// <summary>
/// keepalived's track script over pools: every advert interval, the node is healthy while every tracked pool has an
/// available backend. The loop asks <see cref="DueAt"/> and calls <see cref="Check"/>.
/// </summary>
internal sealed class PoolTracking(PoolRegistry pools, ElapsedClock clock)
{
    private TimeSpan _checkAt;

    /// <summary>When the next check is due, or null when <paramref name="config"/> tracks nothing.</summary>
    public TimeSpan? DueAt(FailoverConfig config) => config.Track is null ? null : _checkAt;

    /// <summary>Schedules the next check one advert interval on; the health now, or null when nothing is tracked.</summary>
    public bool? Check(FailoverConfig config)
    {
        _checkAt = clock.Now + config.AdvertInterval;
        return config.Track is { } track
            ? track.Pools.All(name => pools.Get(name) is { } pool && pool.Snapshot.Available.Length > 0)
            : null;
    }
}

using Balancer.Core.Configuration;
using Balancer.Core.Model;

namespace Balancer.Failover;

/// <summary>
/// keepalived's track script over pools: every advert interval, each group that tracks pools is healthy while every
/// pool it tracks has an available backend (#23: a group's track affects that group only). The loop asks
/// <see cref="DueAt"/> and calls <see cref="Check"/>.
/// </summary>
internal sealed class PoolTracking(PoolRegistry pools, ElapsedClock clock)
{
    private TimeSpan _checkAt;

    /// <summary>When the next check is due, or null when no group of <paramref name="config"/> tracks anything.</summary>
    public TimeSpan? DueAt(FailoverConfig config) => config.EffectiveGroups.Any(g => g.Track is not null) ? _checkAt : null;

    /// <summary>Schedules the next check one advert interval on; the health now of each group that tracks pools.</summary>
    public IReadOnlyList<(string Group, bool Healthy)> Check(FailoverConfig config)
    {
        _checkAt = clock.Now + config.AdvertInterval;
        return [.. config.EffectiveGroups.Where(g => g.Track is not null)
            .Select(g => (g.Name, g.Track!.Pools.All(name => pools.Get(name) is { } pool && pool.Snapshot.Available.Length > 0)))];
    }
}

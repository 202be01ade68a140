using Balancer.Core.Affinity;
using Balancer.Core.Model;
using Balancer.Core.Routing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Balancer.Http.Routing;

/// <summary>
/// Puts a request of a split route on one side (<see cref="WeightedSplit"/>): the side whose pool's affinity cookie the
/// client already holds — a client stays on the side it landed on — else a weighted draw.
/// </summary>
internal static class PoolSplit
{
    /// <summary>The cluster of the side chosen, counted against the route; null when YARP does not know it (a reload in between).</summary>
    public static ClusterState? Choose(HttpContext context, RoutePlan plan, WeightedSplit split, PoolRegistry pools, IProxyStateLookup clusters)
    {
        var side = split.Choose(Random.Shared.NextDouble(), Sticky(context, split, pools));
        plan.Stats.OnSplit(side);
        return clusters.TryGetCluster(split.Pools[side], out var cluster) ? cluster : null;
    }

    /// <summary>The side whose pool's affinity cookie names one of its backends (up or not); -1 when none does.</summary>
    private static int Sticky(HttpContext context, WeightedSplit split, PoolRegistry pools)
    {
        for (var i = 0; i < split.Pools.Length; i++)
        {
            if (pools.Get(split.Pools[i])?.Snapshot.Affinity is { } table
                && context.Request.Cookies[table.CookieName] is { Length: > 0 } value
                && table.Resolve(value, out _) is AffinityStatus.Usable or AffinityStatus.Unavailable)
            {
                return i;
            }
        }

        return -1;
    }
}

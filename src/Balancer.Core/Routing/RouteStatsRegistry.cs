using System.Collections.Frozen;
using Balancer.Core.Configuration;

namespace Balancer.Core.Routing;

/// <summary>
/// The <see cref="RouteStats"/> of every HTTP route, by listener and index. A reload keeps the counts of a route that
/// still matches and does the same (same description); a route that changed starts from zero, so a share shown is
/// always that of the route as it is configured now.
/// </summary>
public sealed class RouteStatsRegistry
{
    private FrozenDictionary<(string Listener, int Index), RouteStats> _routes = FrozenDictionary<(string, int), RouteStats>.Empty;

    /// <summary>Every route, by listener then index.</summary>
    public IEnumerable<RouteStats> All => Volatile.Read(ref _routes).Values.OrderBy(r => r.Listener, StringComparer.Ordinal).ThenBy(r => r.Index);

    /// <summary>The stats of route <paramref name="index"/> of <paramref name="listener"/>; null when the running config has none.</summary>
    public RouteStats? Get(string listener, int index) => Volatile.Read(ref _routes).GetValueOrDefault((listener, index));

    /// <summary>Takes the routes of a newly applied config (call before the listeners build their plans from it).</summary>
    public void Apply(BalancerConfig config)
    {
        var old = Volatile.Read(ref _routes);
        var next = new Dictionary<(string, int), RouteStats>();
        foreach (var (listener, listenerConfig) in config.Listeners)
        {
            for (var i = 0; i < listenerConfig.Routes.Count; i++)
            {
                var route = listenerConfig.Routes[i];
                var match = RouteDescription.Match(route);
                var action = RouteDescription.Action(route);
                next[(listener, i)] = old.TryGetValue((listener, i), out var kept) && kept.Match == match && kept.Action == action
                    ? kept
                    : new RouteStats(listener, i, match, action, [.. route.Pools.Select(p => p.Pool)], route.Mirror?.Pool);
            }
        }

        Volatile.Write(ref _routes, next.ToFrozenDictionary());
    }
}

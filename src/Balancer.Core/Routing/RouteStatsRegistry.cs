using System.Collections.Immutable;
using Balancer.Core.Configuration;

namespace Balancer.Core.Routing;

/// <summary>
/// The <see cref="RouteStats"/> of every HTTP route, by listener and index. A reload keeps the counts of a route that
/// still matches and does the same (same description); a route that changed starts from zero, so a share shown is
/// always that of the route as it is configured now. Written on the control path; read without a lock.
/// </summary>
public sealed class RouteStatsRegistry
{
    private readonly Lock _write = new();
    private ImmutableDictionary<string, RouteStats[]> _listeners = ImmutableDictionary.Create<string, RouteStats[]>(StringComparer.Ordinal);

    /// <summary>Every route, by listener then index.</summary>
    public IEnumerable<RouteStats> All => Volatile.Read(ref _listeners).OrderBy(l => l.Key, StringComparer.Ordinal).SelectMany(l => l.Value);

    /// <summary>The routes of <paramref name="listener"/>, by index; empty when it has none.</summary>
    public IReadOnlyList<RouteStats> Of(string listener) => Volatile.Read(ref _listeners).GetValueOrDefault(listener) ?? [];

    /// <summary>Takes the routes of <paramref name="listener"/> as a config (re)load gives them; returns their stats by index.</summary>
    public RouteStats[] Apply(string listener, IReadOnlyList<RouteConfig> routes)
    {
        lock (_write)
        {
            var old = Of(listener);
            var next = new RouteStats[routes.Count];
            for (var i = 0; i < routes.Count; i++)
            {
                var route = routes[i];
                var match = RouteDescription.Match(route);
                var action = RouteDescription.Action(route);
                next[i] = i < old.Count && old[i].Match == match && old[i].Action == action
                    ? old[i]
                    : new RouteStats(listener, i, match, action, [.. route.Pools.Select(p => p.Pool)], route.Mirror?.Pool);
            }

            Volatile.Write(ref _listeners, _listeners.SetItem(listener, next));
            return next;
        }
    }

    /// <summary>Forgets a listener that stopped.</summary>
    public void Remove(string listener)
    {
        lock (_write)
        {
            Volatile.Write(ref _listeners, _listeners.Remove(listener));
        }
    }
}

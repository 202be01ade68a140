using System.Collections.Frozen;
using System.Globalization;
using Balancer.Core.Configuration;

namespace Balancer.Core.Model;

/// <summary>
/// The <see cref="RouteCounters"/> of every HTTP route, by route id (<c>listener/index</c>, as YARP knows the route). A
/// reload keeps the counts of a route that still matches and does the same; a route that changed starts from zero.
/// Requests look their route up in one frozen map.
/// </summary>
public sealed class RouteCounterRegistry
{
    private FrozenDictionary<string, RouteCounters> _routes = FrozenDictionary<string, RouteCounters>.Empty;

    /// <summary>The counters of a route; null when the running config has no such route.</summary>
    public RouteCounters? Get(string routeId) => Volatile.Read(ref _routes).GetValueOrDefault(routeId);

    /// <summary>Every route, by listener then index.</summary>
    public IEnumerable<RouteCounters> All => Volatile.Read(ref _routes).Values.OrderBy(r => r.Listener, StringComparer.Ordinal).ThenBy(r => r.Index);

    /// <summary>Takes the routes of a newly applied config.</summary>
    public void Apply(BalancerConfig config)
    {
        var old = Volatile.Read(ref _routes);
        var next = new Dictionary<string, RouteCounters>(StringComparer.Ordinal);
        foreach (var (listener, listenerConfig) in config.Listeners)
        {
            for (var i = 0; i < listenerConfig.Routes.Count; i++)
            {
                var route = listenerConfig.Routes[i];
                var id = $"{listener}/{i}";
                var match = DescribeMatch(route);
                var action = DescribeAction(route);
                next[id] = old.TryGetValue(id, out var kept) && kept.Match == match && kept.Action == action
                    ? kept
                    : new RouteCounters(listener, i, match, action);
            }
        }

        Volatile.Write(ref _routes, next.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>A route's match as the config spells it.</summary>
    public static string DescribeMatch(RouteConfig route) => $"hosts {string.Join(' ', route.Hosts)} path {route.Path}";

    /// <summary>A route's action as the config spells it.</summary>
    public static string DescribeAction(RouteConfig route)
    {
        var action = $"pool {route.Pool}";
        if (route.RateLimit is { } limit)
        {
            action += string.Create(CultureInfo.InvariantCulture, $", rate limit {limit.RequestsPerSecond}/s burst {limit.EffectiveBurst} per {limit.Key}");
        }

        return action;
    }
}

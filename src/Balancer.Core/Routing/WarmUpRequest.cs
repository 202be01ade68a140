using System.Text;
using Balancer.Core.Configuration;

namespace Balancer.Core.Routing;

/// <summary>
/// The request a listener's start-up warm-up sends through its own proxy pipeline: one that the listener's first
/// forwarding route matches (its host, path template, method, headers and query filled in), so that Kestrel, routing,
/// the route's middleware and the forwarder that route's pool uses all run once before the node serves for real.
/// </summary>
/// <param name="Route">The index of the route it was built for.</param>
/// <param name="Method">The request method.</param>
/// <param name="Host">The Host header: the route's first host, a wildcard's label filled in; <c>localhost</c> for any host.</param>
/// <param name="PathAndQuery">The path template with each parameter filled in, and the query the route needs.</param>
/// <param name="Headers">The headers the route needs.</param>
public sealed record WarmUpRequest(int Route, string Method, string Host, string PathAndQuery, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>What a parameter of a path template (<c>{id}</c>, <c>{**rest}</c>) or a header without a fixed value is given.</summary>
    public const string Filler = "1";

    /// <summary>The request for the first route of <paramref name="listener"/> that forwards to a pool; null when none does.</summary>
    public static WarmUpRequest? For(ListenerConfig listener)
    {
        for (var i = 0; i < listener.Routes.Count; i++)
        {
            var route = listener.Routes[i];
            if (route.Redirect is null && route.Respond is null && (route.Pool.Length > 0 || route.Pools.Count > 0))
            {
                var query = string.Join("&", Fields(route.Query).Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}"));
                return new WarmUpRequest(
                    i,
                    route.Methods.Count == 0 || route.Methods.Contains("GET") ? "GET" : route.Methods[0],
                    HostFor(route.Hosts),
                    PathFor(route.Path) + (query.Length > 0 ? "?" + query : ""),
                    [.. Fields(route.Headers)]);
            }
        }

        return null;
    }

    private static string HostFor(IReadOnlyList<string> hosts)
    {
        var host = hosts.FirstOrDefault(h => h != "*") ?? "localhost";
        return host.StartsWith("*.", StringComparison.Ordinal) ? "warm-up" + host[1..] : host;
    }

    /// <summary>The template with every <c>{...}</c> parameter replaced by <see cref="Filler"/>.</summary>
    private static string PathFor(string template)
    {
        var path = new StringBuilder(template.Length);
        var depth = 0;
        foreach (var c in template)
        {
            if (c == '{')
            {
                if (depth++ == 0)
                {
                    path.Append(Filler);
                }
            }
            else if (c == '}')
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0)
            {
                path.Append(c);
            }
        }

        return path.Length == 0 || path[0] != '/' ? "/" + path : path.ToString();
    }

    /// <summary>A value for each condition that must hold (none for <c>notExists</c>): its first value, or the filler.</summary>
    private static IEnumerable<KeyValuePair<string, string>> Fields(IReadOnlyList<FieldMatchConfig> conditions) =>
        conditions.Where(c => c.Mode != FieldMatchModes.NotExists)
            .Select(c => KeyValuePair.Create(c.Name, c.Mode == FieldMatchModes.Exists || c.Values.Count == 0 ? Filler : c.Values[0]));
}

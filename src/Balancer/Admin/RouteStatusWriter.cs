using System.Text.Json;
using Balancer.Core.Routing;

namespace Balancer.Admin;

/// <summary>
/// The <c>routes</c> of an http listener in <c>GET /status</c>, in config order: what each matches and does (one line
/// each, for the dashboard's routes panel), the requests it matched, and for a split or a mirror how its requests went.
/// </summary>
internal static class RouteStatusWriter
{
    public static void Write(Utf8JsonWriter json, IReadOnlyList<RouteStats> routes)
    {
        json.WriteStartArray("routes");
        foreach (var route in routes)
        {
            json.WriteStartObject();
            json.WriteNumber("index", route.Index);
            json.WriteString("match", route.Match);
            json.WriteString("action", route.Action);
            var requests = route.Requests;
            json.WriteNumber("requests", requests);
            if (route.SplitPools.Count > 0)
            {
                WriteSplit(json, route);
            }

            if (route.MirrorPool is { } pool)
            {
                json.WriteStartObject("mirror");
                json.WriteString("pool", pool);
                json.WriteNumber("sent", route.MirrorSent);
                json.WriteNumber("failed", route.MirrorFailed);
                json.WriteNumber("dropped", route.MirrorDropped);
                json.WriteNumber("tooLarge", route.MirrorTooLarge);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteSplit(Utf8JsonWriter json, RouteStats route)
    {
        var counts = Enumerable.Range(0, route.SplitPools.Count).Select(route.SplitRequests).ToArray();
        var total = counts.Sum();
        json.WriteStartArray("split");
        for (var i = 0; i < counts.Length; i++)
        {
            json.WriteStartObject();
            json.WriteString("pool", route.SplitPools[i]);
            json.WriteNumber("requests", counts[i]);
            json.WriteNumber("share", total == 0 ? 0 : Math.Round(100.0 * counts[i] / total, 2)); // percent of the split's requests
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}

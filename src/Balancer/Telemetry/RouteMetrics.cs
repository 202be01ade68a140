using System.Diagnostics.Metrics;
using System.Globalization;
using Balancer.Core.Routing;

namespace Balancer.Telemetry;

/// <summary>
/// The per-route instruments of the <c>Balancer</c> meter (issue #22), observed from the same <see cref="RouteStats"/>
/// that <c>/status</c> shows: requests each route matched, requests per side of a weighted split, mirrored copies by
/// result. A route a reload changed starts over under its index, as its stats do.
/// </summary>
internal static class RouteMetrics
{
    /// <summary>Adds the per-route counters to <paramref name="meter"/>.</summary>
    public static void Observe(Meter meter, RouteStatsRegistry routes)
    {
        meter.CreateObservableCounter("balancer.route.requests", () => routes.All.Select(r => new Measurement<long>(r.Requests, Tags(r))), "{request}", "Requests each route matched.");
        meter.CreateObservableCounter("balancer.route.split.requests", () => SplitRequests(routes), "{request}", "Requests each side of a route's weighted split took.");
        meter.CreateObservableCounter("balancer.route.mirror.copies", () => MirrorCopies(routes), "{request}", "Mirrored copies of each route, by result (sent, failed, dropped, too_large).");
    }

    private static KeyValuePair<string, object?>[] Tags(RouteStats route) =>
        [new("listener", route.Listener), new("route", route.Index.ToString(CultureInfo.InvariantCulture))];

    private static IEnumerable<Measurement<long>> SplitRequests(RouteStatsRegistry routes) =>
        routes.All.SelectMany(r => r.SplitPools.Select((pool, i) => new Measurement<long>(r.SplitRequests(i), [.. Tags(r), new("pool", pool)])));

    private static IEnumerable<Measurement<long>> MirrorCopies(RouteStatsRegistry routes)
    {
        foreach (var route in routes.All)
        {
            if (route.MirrorPool is not { } pool)
            {
                continue;
            }

            foreach (var (result, value) in new[] { ("sent", route.MirrorSent), ("failed", route.MirrorFailed), ("dropped", route.MirrorDropped), ("too_large", route.MirrorTooLarge) })
            {
                yield return new Measurement<long>(value, [.. Tags(route), new("pool", pool), new("result", result)]);
            }
        }
    }
}

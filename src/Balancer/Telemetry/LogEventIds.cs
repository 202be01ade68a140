namespace Balancer.Telemetry;

/// <summary>
/// The event id ranges of the executable's log messages: each area owns one range, so an id
/// names one message for good and a log search by id finds exactly it. A test fails on a
/// duplicate id or an id outside every range (LogEventIdTests).
/// </summary>
internal static class LogEventIds
{
    /// <summary>Area name by the first id of its hundred.</summary>
    public static readonly IReadOnlyDictionary<int, string> Ranges = new Dictionary<int, string>
    {
        [100] = "proxying and health (HTTP and TCP)",
        [200] = "config and reload",
        [300] = "hosting: start-up, listeners, shutdown",
        [400] = "failover and the cluster",
        [500] = "TLS",
        [600] = "admin API and audit",
        [700] = "announcement (ECMP scale-out)",
        [800] = "traffic management: affinity, hashing, rate limits, routes, mirroring",
        [900] = "HTTP/2 and gRPC backends",
    };

    /// <summary>The area an id belongs to, or null when it is outside every range.</summary>
    public static string? AreaOf(int id) => Ranges.TryGetValue(id / 100 * 100, out var area) ? area : null;
}

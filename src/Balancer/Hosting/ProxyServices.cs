using Balancer.Core.Model;
using Balancer.Core.RateLimiting;
using Balancer.Core.Routing;
using Balancer.Telemetry;
using Balancer.Tls;

namespace Balancer.Hosting;

/// <summary>What every listener host shares: the core pools, the clock, logging, telemetry, the served certificates and the routes' counters.</summary>
internal sealed record ProxyServices(
    PoolRegistry Pools, TimeProvider Time, ILoggerFactory Logs, BalancerMetrics Metrics, AccessLog? AccessLog, TimeSpan DrainTimeout,
    string ConfigPath, CertificateRegistry Certificates)
{
    /// <summary>Set while the node is withdrawn from an ECMP router: clients of the announced addresses are asked to reconnect.</summary>
    public Announce.ReconnectHint Reconnect { get; } = new();

    /// <summary>The start-up warm-up of the proxy path: which request is its own, and where that goes.</summary>
    public Http.ProxyWarmUp WarmUp { get; } = new();

    /// <summary>The rate limit tables of every route (shared with /status, kept across reloads).</summary>
    public RateLimitRegistry RateLimits { get; init; } = new(Time);

    /// <summary>Per-route counters: requests matched, split shares, mirrored copies (/status, /metrics).</summary>
    public RouteStatsRegistry RouteStats { get; init; } = new();

    /// <summary>Resolves a file named by the config (a certificate, a key) against the config file's directory, as the loader did.</summary>
    public string ResolveFile(string path) => Path.GetFullPath(path, Path.GetDirectoryName(Path.GetFullPath(ConfigPath)) ?? ".");
}

namespace Balancer.Core.Configuration;

/// <summary>A pool of interchangeable backends and how to choose among them.</summary>
public sealed record PoolConfig
{
    /// <summary>Balancing algorithm name (see <see cref="LoadBalancing.BalancingAlgorithms"/>). Default <c>round-robin</c>.</summary>
    public string Algorithm { get; init; } = "round-robin";

    /// <summary>Ramp-up time of a new or recovered backend's weight; zero (the default) disables slow start.</summary>
    public TimeSpan SlowStart { get; init; }

    /// <summary>Time constant of the response-time algorithm's moving average. Default 10 s.</summary>
    public TimeSpan DecayTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Active health checking; null means the default TCP/HTTP probe is not configured (<c>none</c>).</summary>
    public HealthConfig? Health { get; init; }

    /// <summary>Passive health checking on live traffic; defaults apply when absent.</summary>
    public PassiveHealthConfig Passive { get; init; } = new();

    /// <summary>
    /// Below this percentage of healthy backends the pool sends traffic to all its backends
    /// rather than overload the few left (Envoy's panic threshold). 0 (the default) turns it off.
    /// </summary>
    public int PanicThreshold { get; init; }

    /// <summary>Total tries (first attempt included) for a request that could not reach a backend. Default 2.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>
    /// Most connections a backend of a <c>tcp</c> pool holds at once (HAProxy's server <c>maxconn</c>); a
    /// backend at its limit is skipped. 0 (the default) means no limit.
    /// </summary>
    public int MaxConnectionsPerBackend { get; init; }

    /// <summary>
    /// Most requests a backend of an <c>http</c> pool has in flight at once (Envoy's circuit breaker); a backend
    /// at its limit is skipped, and when all are, the request gets 503 at once. 0 (the default) means no limit.
    /// </summary>
    public int MaxRequestsPerBackend { get; init; }

    /// <summary>
    /// Most requests an <c>http</c> pool has in flight at once over all its backends; more get 503 at once
    /// rather than queue. 0 (the default) means no limit.
    /// </summary>
    public int MaxPendingRequests { get; init; }

    /// <summary>PROXY protocol header sent to the backends of a <c>tcp</c> pool: <c>none</c> (the default), <c>v1</c> or <c>v2</c>.</summary>
    public string ProxyProtocol { get; init; } = ProxyProtocolVersions.None;

    /// <summary>
    /// HTTP version towards the backends (see <see cref="HttpVersions"/>): <c>auto</c> (the default), <c>1.1</c> or <c>2</c>
    /// (h2c prior knowledge to <c>http://</c>, h2 to <c>https://</c>; what gRPC backends need).
    /// </summary>
    public string HttpVersion { get; init; } = HttpVersions.Auto;

    /// <summary>TLS towards the pool's <c>https://</c> backends; null verifies them against the system trust store.</summary>
    public BackendTlsConfig? Tls { get; init; }

    /// <summary>Cookie session affinity; null (the default) sets no cookie.</summary>
    public AffinityConfig? Affinity { get; init; }

    /// <summary>What the <c>hash</c> algorithm hashes (see <see cref="RequestKey"/>). Default <c>client-ip</c>.</summary>
    public string HashKey { get; init; } = RequestKey.ClientIpName;

    /// <summary>
    /// Bounded loads of the <c>hash</c> algorithm (HAProxy's <c>hash-balance-factor</c>): a backend with more in flight
    /// than this × its weighted share of the pool's is skipped for the next in the key's probe sequence. 0 (the default) is off.
    /// </summary>
    public double HashBalanceFactor { get; init; }

    /// <summary>The pool's backends, identified by address.</summary>
    public IReadOnlyList<BackendConfig> Backends { get; init; } = [];
}

/// <summary>PROXY protocol versions as they appear in config.</summary>
public static class ProxyProtocolVersions
{
    /// <summary>No header.</summary>
    public const string None = "none";

    /// <summary>The human-readable header (PROXY protocol spec section 2.1).</summary>
    public const string V1 = "v1";

    /// <summary>The binary header (PROXY protocol spec section 2.2).</summary>
    public const string V2 = "v2";

    /// <summary>Every accepted name.</summary>
    public static readonly string[] All = [None, V1, V2];
}

using Balancer.Core.Configuration.Parsing;
using Balancer.Core.LoadBalancing;

namespace Balancer.Core.Configuration.Binding;

/// <summary>Binds the <c>pools</c> map: algorithms, health checks and backends.</summary>
internal static class PoolBinder
{
    private static readonly string[] s_poolFields = ["algorithm", "slowStart", "decayTime", "health", "passive", "panicThreshold", "retries", "maxConnectionsPerBackend", "maxRequestsPerBackend", "maxPendingRequests", "proxyProtocol", "httpVersion", "tls", "affinity", "hashKey", "hashBalanceFactor", "backends"];
    private static readonly string[] s_affinityFields = ["cookie", "ttl", "secure", "sameSite"];
    private static readonly string[] s_passiveFields = ["consecutive5xx", "grpcFailureStatuses", "ejectTime", "maxEjectTime"];
    private static readonly string[] s_healthFields =
        ["probe", "path", "method", "host", "interval", "timeout", "rise", "fall", "expectStatus", "expectBody", "service"];
    private static readonly string[] s_backendFields = ["address", "weight"];
    private static readonly string[] s_probes = [ProbeKinds.Http, ProbeKinds.Grpc, ProbeKinds.Tcp, ProbeKinds.None];

    /// <summary>Binds every pool of <paramref name="pools"/>; null when the map is absent.</summary>
    public static IReadOnlyDictionary<string, PoolConfig>? BindPools(ObjectReader? pools) =>
        pools?.Entries(s_poolFields).ToDictionary(e => e.Name, e => BindPool(e.Reader), StringComparer.Ordinal);

    private static PoolConfig BindPool(ObjectReader reader)
    {
        var defaults = new PoolConfig();
        return new PoolConfig
        {
            Algorithm = reader.Choice("algorithm", "algorithm", [.. BalancingAlgorithms.Names]) ?? defaults.Algorithm,
            SlowStart = reader.Duration("slowStart") ?? defaults.SlowStart,
            DecayTime = reader.Duration("decayTime") ?? defaults.DecayTime,
            Health = reader.Object("health", s_healthFields) is { } health ? BindHealth(health) : defaults.Health,
            Passive = reader.Object("passive", s_passiveFields) is { } passive ? BindPassive(passive) : defaults.Passive,
            PanicThreshold = reader.Int("panicThreshold") ?? defaults.PanicThreshold,
            Retries = reader.Int("retries") ?? defaults.Retries,
            MaxConnectionsPerBackend = reader.Int("maxConnectionsPerBackend") ?? defaults.MaxConnectionsPerBackend,
            MaxRequestsPerBackend = reader.Int("maxRequestsPerBackend") ?? defaults.MaxRequestsPerBackend,
            MaxPendingRequests = reader.Int("maxPendingRequests") ?? defaults.MaxPendingRequests,
            ProxyProtocol = reader.Choice("proxyProtocol", "PROXY protocol version", ProxyProtocolVersions.All) ?? defaults.ProxyProtocol,
            HttpVersion = BindHttpVersion(reader) ?? defaults.HttpVersion,
            Tls = reader.Object("tls", TlsBinder.BackendTlsFields) is { } tls ? TlsBinder.BindBackend(tls) : defaults.Tls,
            Affinity = reader.Object("affinity", s_affinityFields) is { } affinity ? BindAffinity(affinity) : defaults.Affinity,
            HashKey = reader.String("hashKey") ?? defaults.HashKey,
            HashBalanceFactor = reader.Double("hashBalanceFactor") ?? defaults.HashBalanceFactor,
            Backends = reader.Objects("backends", s_backendFields)?.Select(BindBackend).ToList() ?? defaults.Backends,
        };
    }

    private static HealthConfig BindHealth(ObjectReader reader)
    {
        var defaults = new HealthConfig();
        return new HealthConfig
        {
            Probe = reader.Choice("probe", "probe kind", s_probes) ?? defaults.Probe,
            Path = reader.String("path") ?? defaults.Path,
            Method = reader.String("method") ?? defaults.Method,
            Host = reader.String("host") ?? defaults.Host,
            Interval = reader.Duration("interval") ?? defaults.Interval,
            Timeout = reader.Duration("timeout") ?? defaults.Timeout,
            Rise = reader.Int("rise") ?? defaults.Rise,
            Fall = reader.Int("fall") ?? defaults.Fall,
            ExpectStatus = reader.String("expectStatus") ?? defaults.ExpectStatus,
            ExpectBody = reader.String("expectBody") ?? defaults.ExpectBody,
            Service = reader.String("service") ?? defaults.Service,
        };
    }

    /// <summary><c>httpVersion</c> as a string or, since people write versions as numbers, a JSON number (<c>2</c>, <c>1.1</c>).</summary>
    private static string? BindHttpVersion(ObjectReader reader)
    {
        const string name = "httpVersion", expected = "\"auto\", \"1.1\" or \"2\"";
        var written = reader.Get<JsonNode>(name, expected) switch
        {
            JsonString s => s.Value,
            JsonNumber n => n.Text,
            null => null,
            var other => Unexpected(other),
        };
        if (written is not null && HttpVersions.Normalize(written) is null)
        {
            reader.Report(name, $"unknown HTTP version '{written}'; expected {expected}");
        }

        return written is null ? null : HttpVersions.Normalize(written);

        string? Unexpected(JsonNode node)
        {
            reader.Report(name, $"expected {expected}, got {node.Kind}");
            return null;
        }
    }

    private static AffinityConfig BindAffinity(ObjectReader reader)
    {
        var defaults = new AffinityConfig();
        return new AffinityConfig
        {
            Cookie = reader.String("cookie") ?? defaults.Cookie,
            Ttl = reader.Duration("ttl") ?? defaults.Ttl,
            Secure = reader.Bool("secure") ?? defaults.Secure,
            SameSite = reader.Choice("sameSite", "sameSite", AffinityConfig.SameSiteValues) ?? defaults.SameSite,
        };
    }

    private static PassiveHealthConfig BindPassive(ObjectReader reader)
    {
        var defaults = new PassiveHealthConfig();
        return new PassiveHealthConfig
        {
            Consecutive5xx = reader.Int("consecutive5xx") ?? defaults.Consecutive5xx,
            GrpcFailureStatuses = reader.Strings("grpcFailureStatuses") ?? defaults.GrpcFailureStatuses,
            EjectTime = reader.Duration("ejectTime") ?? defaults.EjectTime,
            MaxEjectTime = reader.Duration("maxEjectTime") ?? defaults.MaxEjectTime,
        };
    }

    private static BackendConfig BindBackend(ObjectReader reader)
    {
        var defaults = new BackendConfig();
        return new BackendConfig
        {
            Address = reader.RequiredString("address"),
            Weight = reader.Int("weight") ?? defaults.Weight,
        };
    }
}

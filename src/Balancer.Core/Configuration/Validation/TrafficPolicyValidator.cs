using Balancer.Core.Configuration.Binding;
using Balancer.Core.LoadBalancing;

namespace Balancer.Core.Configuration.Validation;

/// <summary>Checks session affinity and consistent hashing of a pool, and the rate limit of a route.</summary>
internal static class TrafficPolicyValidator
{
    /// <summary>Keys <c>hashKey</c> accepts on an http pool; a tcp pool has only the client address.</summary>
    internal static readonly RequestKeyKind[] HashKeys =
        [RequestKeyKind.ClientIp, RequestKeyKind.Header, RequestKeyKind.Cookie, RequestKeyKind.Query, RequestKeyKind.Path, RequestKeyKind.Host];

    /// <summary>Keys <c>rateLimit.key</c> accepts.</summary>
    internal static readonly RequestKeyKind[] RateLimitKeys = [RequestKeyKind.ClientIp, RequestKeyKind.Header, RequestKeyKind.Route];

    private const int MaxTrackedKeys = 10_000_000;

    /// <summary>Checks the pool at <paramref name="path"/>, used by listeners of kind <paramref name="use"/>.</summary>
    public static void CheckPool(PoolConfig pool, string path, PoolUse use, ConfigDiagnostics diagnostics)
    {
        var keyPath = ConfigPath.Child(path, "hashKey");
        if (!RequestKey.TryParse(pool.HashKey, use == PoolUse.Tcp ? [RequestKeyKind.ClientIp] : HashKeys, out _, out var error))
        {
            diagnostics.Report(keyPath, use == PoolUse.Tcp ? $"{error} (a tcp pool can only hash the client address)" : error);
        }

        var factorPath = ConfigPath.Child(path, "hashBalanceFactor");
        if (pool.HashBalanceFactor != 0 && pool.HashBalanceFactor is <= 1 or > 100)
        {
            diagnostics.Report(factorPath, $"hashBalanceFactor must be 0 (off) or more than 1 and at most 100, e.g. 1.25; got {pool.HashBalanceFactor}");
        }

        if (pool.Algorithm != BalancingAlgorithms.Hash && (pool.HashKey != RequestKey.ClientIpName || pool.HashBalanceFactor != 0))
        {
            var field = pool.HashKey != RequestKey.ClientIpName ? keyPath : factorPath;
            diagnostics.Report(field, $"only the 'hash' algorithm uses this; the pool's algorithm is '{pool.Algorithm}'", ConfigErrorSeverity.Warning);
        }

        if (pool.Affinity is { } affinity)
        {
            CheckAffinity(affinity, ConfigPath.Child(path, "affinity"), use, diagnostics);
        }
    }

    /// <summary>Checks a route's rate limit at <paramref name="path"/>.</summary>
    public static void CheckRateLimit(RateLimitConfig limit, string path, ConfigDiagnostics diagnostics)
    {
        if (limit.RequestsPerSecond is <= 0 or > 1_000_000_000)
        {
            diagnostics.Report(ConfigPath.Child(path, "requestsPerSecond"), $"requestsPerSecond must be more than 0 (fractions allowed, 0.5 = one every 2 s); got {limit.RequestsPerSecond}");
        }

        if (limit.Burst is { } burst)
        {
            PoolValidator.CheckRange(diagnostics, ConfigPath.Child(path, "burst"), "burst", burst, 1, 1_000_000_000);
        }

        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(path, "maxKeys"), "maxKeys", limit.MaxKeys, 1, MaxTrackedKeys);
        if (!RequestKey.TryParse(limit.Key, RateLimitKeys, out _, out var error))
        {
            diagnostics.Report(ConfigPath.Child(path, "key"), error);
        }
    }

    private static void CheckAffinity(AffinityConfig affinity, string path, PoolUse use, ConfigDiagnostics diagnostics)
    {
        if (use == PoolUse.Tcp)
        {
            diagnostics.Report(path, "'affinity' sets an HTTP cookie: it is only for http pools (a tcp pool can use \"algorithm\": \"hash\" on the client address)");
        }

        if (!RequestKey.TryParse($"cookie:{affinity.Cookie}", [RequestKeyKind.Cookie], out _, out _))
        {
            diagnostics.Report(ConfigPath.Child(path, "cookie"), $"'{affinity.Cookie}' is not a cookie name (letters, digits and !#$%&'*+-.^_`|~)");
        }

        if (affinity.Ttl is { } ttl && ttl < TimeSpan.FromSeconds(1))
        {
            diagnostics.Report(ConfigPath.Child(path, "ttl"), "ttl must be at least 1s; leave it out for a session cookie");
        }

        // Browsers drop a SameSite=None cookie without Secure (RFC 6265bis section 5.6.7.2): sessions would never stick.
        if (affinity.SameSite == "none" && !affinity.Secure)
        {
            diagnostics.Report(ConfigPath.Child(path, "sameSite"), "sameSite 'none' needs \"secure\": true; browsers refuse the cookie otherwise");
        }
    }
}

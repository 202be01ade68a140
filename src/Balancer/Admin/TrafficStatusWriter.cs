using System.Text.Json;
using Balancer.Core.Model;
using Balancer.Core.RateLimiting;

namespace Balancer.Admin;

/// <summary>The affinity, hashing and rate limit parts of <c>GET /status</c> (issue #21), from the state that decides.</summary>
internal static class TrafficStatusWriter
{
    /// <summary>A route's <c>rateLimit</c> in <c>listeners.&lt;name&gt;.routes[]</c>: its settings, refusals and tracked keys.</summary>
    public static void WriteRateLimit(Utf8JsonWriter json, RateLimitTable table)
    {
        json.WriteStartObject("rateLimit");
        json.WriteNumber("requestsPerSecond", table.Config.RequestsPerSecond);
        json.WriteNumber("burst", table.Config.EffectiveBurst);
        json.WriteString("key", table.Config.Key);
        json.WriteNumber("limited", table.Limited);
        json.WriteNumber("trackedKeys", table.TrackedKeys);
        json.WriteNumber("maxKeys", table.Config.MaxKeys);
        json.WriteEndObject();
    }

    /// <summary>A pool's <c>affinity</c> (cookie, replaced cookies) and <c>hash</c> (key, balance factor, key-less requests), when on.</summary>
    public static void WritePool(Utf8JsonWriter json, Pool pool, PoolSnapshot snapshot)
    {
        if (pool.Config.Affinity is { } affinity)
        {
            json.WriteStartObject("affinity");
            json.WriteString("cookie", affinity.Cookie);
            json.WriteNumber("replaced", pool.Counters.AffinityReplaced);
            json.WriteEndObject();
        }

        if (snapshot.HashesKeys)
        {
            json.WriteStartObject("hash");
            json.WriteString("key", snapshot.HashKey.ToString());
            json.WriteNumber("balanceFactor", snapshot.HashBalanceFactor);
            json.WriteNumber("fallbacks", pool.Counters.HashFallbacks);
            json.WriteEndObject();
        }
    }
}

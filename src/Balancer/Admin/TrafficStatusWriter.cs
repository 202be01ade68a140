using System.Text.Json;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Core.RateLimiting;

namespace Balancer.Admin;

/// <summary>The affinity, hashing and rate limit parts of <c>GET /status</c> (issue #21), from the state that decides.</summary>
internal static class TrafficStatusWriter
{
    /// <summary><c>listeners.&lt;name&gt;.routes[]</c>: each route's match, pool and rate limit with its refusals and tracked keys.</summary>
    public static void WriteRoutes(Utf8JsonWriter json, string listener, ListenerConfig config, RateLimitRegistry rateLimits)
    {
        json.WriteStartArray("routes");
        for (var i = 0; i < config.Routes.Count; i++)
        {
            var route = config.Routes[i];
            json.WriteStartObject();
            json.WriteString("id", RateLimitRegistry.RouteId(listener, i));
            json.WriteString("path", route.Path);
            json.WriteString("pool", route.Pool);
            if (rateLimits.Get(RateLimitRegistry.RouteId(listener, i)) is { } table)
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

            json.WriteEndObject();
        }

        json.WriteEndArray();
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

using Balancer.Core.Affinity;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Core.RateLimiting;
using Balancer.Http.Forwarding;

namespace Balancer.Http.Traffic;

/// <summary>
/// Reads what a request says to a route's rate limit and to its pool's choice (affinity cookie, hash key), so that
/// <see cref="Routing.RouteAnswerMiddleware"/> and <see cref="BackendSelectionMiddleware"/> decide with the core (<see cref="RateLimitTable"/>, <see cref="RequestPicker"/>).
/// Synchronous and allocation-free: the spans it reads never cross an await.
/// </summary>
internal static class TrafficPolicy
{
    /// <summary>
    /// Takes a token from the request's bucket of <paramref name="limit"/>; false when it is empty, with the time until
    /// it holds one again. A request without the key (no such header, no client address) shares one bucket with every
    /// other such request, so leaving the header out is no way around the limit.
    /// </summary>
    public static bool Admit(HttpContext context, RateLimitTable limit, ForwardedFor clients, ulong seed, out TimeSpan retryAfter)
    {
        if (!RequestKeyHash.TryHash(context, limit.Key, clients, seed, out var key))
        {
            key = ~seed;
        }

        return limit.TryAcquire(key, out retryAfter);
    }

    /// <summary>The affinity cookie of <paramref name="snapshot"/>'s pool, resolved, and the pool's hash key of the request.</summary>
    public static PickRequest Read(HttpContext context, PoolSnapshot snapshot, ForwardedFor clients)
    {
        var status = AffinityStatus.None;
        BackendState? named = null;
        if (snapshot.Affinity is { } affinity)
        {
            status = affinity.Resolve(CookieHeader.Find(context.Request.Headers.Cookie, affinity.CookieName), out named);
        }

        ulong? key = null;
        if (snapshot.HashesKeys && RequestKeyHash.TryHash(context, snapshot.HashKey, clients, 0, out var hash))
        {
            key = hash;
        }

        return new PickRequest(status, named, key);
    }
}

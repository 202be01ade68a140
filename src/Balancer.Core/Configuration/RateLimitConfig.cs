namespace Balancer.Core.Configuration;

/// <summary>
/// A route's request rate limit (NGINX's <c>limit_req</c>, HAProxy's stick-table <c>http_req_rate</c>): a token bucket per
/// key that refills at <see cref="RequestsPerSecond"/> and holds up to <see cref="Burst"/>; a request finding it empty gets
/// <c>429</c> with <c>Retry-After</c> before any backend is contacted.
/// </summary>
public sealed record RateLimitConfig
{
    /// <summary>Sustained rate per key; may be fractional (0.5 = one request every 2 s). Required.</summary>
    public double RequestsPerSecond { get; init; }

    /// <summary>Requests a key may send at once after being idle (the bucket's size). Default: one second's worth, at least 1.</summary>
    public int? Burst { get; init; }

    /// <summary>What a bucket belongs to: <c>client-ip</c> (the default), <c>header:NAME</c>, or <c>route</c> (one bucket for all).</summary>
    public string Key { get; init; } = RequestKey.ClientIpName;

    /// <summary>Most keys tracked at once; see <see cref="RateLimiting.RateLimitTable"/> for what happens when full. Default 100,000.</summary>
    public int MaxKeys { get; init; } = 100_000;

    /// <summary>The bucket size in effect: <see cref="Burst"/> or one second's worth of requests.</summary>
    public int EffectiveBurst => Burst ?? Math.Max(1, (int)Math.Ceiling(RequestsPerSecond));
}

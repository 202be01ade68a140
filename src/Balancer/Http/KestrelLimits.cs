using Balancer.Core.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Balancer.Http;

/// <summary>Applies a listener's <see cref="ListenerLimitsConfig"/> to its Kestrel server (fixed for the endpoint's life).</summary>
internal static class KestrelLimits
{
    /// <summary>Sets <paramref name="options"/>' limits from <paramref name="limits"/>; 0 means "no limit" or "off" where config says so.</summary>
    public static void Apply(KestrelServerOptions options, ListenerLimitsConfig limits)
    {
        var k = options.Limits;
        k.MaxConcurrentConnections = limits.MaxConcurrentConnections > 0 ? limits.MaxConcurrentConnections : null;
        // An upgraded connection (WebSocket) counts against its own limit; keep it the same as the plain one.
        k.MaxConcurrentUpgradedConnections = k.MaxConcurrentConnections;
        k.MaxRequestHeadersTotalSize = limits.MaxRequestHeadersTotalSize;
        k.MaxRequestHeaderCount = limits.MaxRequestHeaderCount;
        // Kestrel applies one MaxRequestLineSize to HTTP/1.1 request lines (414) and HTTP/2 :path (a stream reset, no
        // status). RequestGuardMiddleware enforces the configured limit on both with a 414; Kestrel's stays as the hard
        // bound of what is buffered, no larger than a header block may be anyway.
        k.MaxRequestLineSize = Math.Max(limits.MaxRequestLineSize, limits.MaxRequestHeadersTotalSize);
        k.RequestHeadersTimeout = limits.RequestHeadersTimeout;
        k.KeepAliveTimeout = limits.KeepAliveTimeout;
        k.MaxRequestBodySize = limits.MaxRequestBodySize > 0 ? limits.MaxRequestBodySize : null;
        k.MinRequestBodyDataRate = limits.MinRequestBodyDataRate > 0 ? new MinDataRate(limits.MinRequestBodyDataRate, limits.MinDataRateGracePeriod) : null;
        k.MinResponseDataRate = limits.MinResponseDataRate > 0 ? new MinDataRate(limits.MinResponseDataRate, limits.MinDataRateGracePeriod) : null;
        k.Http2.MaxStreamsPerConnection = limits.Http2MaxStreamsPerConnection;
        // An HTTP/2 header block is bounded like an HTTP/1.1 one (HPACK-decoded size, RFC 9113 §6.5.2).
        k.Http2.MaxRequestHeaderFieldSize = Math.Max(k.Http2.MaxRequestHeaderFieldSize, Math.Min(limits.MaxRequestHeadersTotalSize, 16 * 1024 * 1024));
    }
}

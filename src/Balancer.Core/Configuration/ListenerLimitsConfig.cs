namespace Balancer.Core.Configuration;

/// <summary>
/// Resource limits of an <c>http</c> listener, applied to its Kestrel server. The defaults bound what a hostile or
/// broken client can hold (slowloris, huge headers, endless bodies) while staying far above what real clients use.
/// </summary>
public sealed record ListenerLimitsConfig
{
    /// <summary>Connections held at once; more are refused on accept (0 = no limit). Default 10 000.</summary>
    public int MaxConcurrentConnections { get; init; } = 10_000;

    /// <summary>Total size of a request's header block in bytes; more gives 431. Default 32 KiB (Kestrel's own).</summary>
    public int MaxRequestHeadersTotalSize { get; init; } = 32 * 1024;

    /// <summary>Header fields a request may carry (HTTP/1.1 and HTTP/2); more gives 431. Default 100 (Kestrel's own).</summary>
    public int MaxRequestHeaderCount { get; init; } = 100;

    /// <summary>Longest request line in bytes; more gives 414. Default 8 KiB (Kestrel's own, NGINX's large buffer).</summary>
    public int MaxRequestLineSize { get; init; } = 8 * 1024;

    /// <summary>Time a client has to send a request's headers; a slower one is closed (slowloris). Default 10 s.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An idle keep-alive connection is closed after this long. Default 75 s (NGINX's <c>keepalive_timeout</c>).</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>Largest request body in bytes; more gives 413 (0 = no limit). Default 100 MiB.</summary>
    public int MaxRequestBodySize { get; init; } = 100 * 1024 * 1024;

    /// <summary>Slowest accepted request body upload in bytes per second, after the grace period (0 = off). Default 240.</summary>
    public int MinRequestBodyDataRate { get; init; } = 240;

    /// <summary>Slowest accepted response download in bytes per second, after the grace period (0 = off). Default 240.</summary>
    public int MinResponseDataRate { get; init; } = 240;

    /// <summary>Time a body transfer may stay below the minimum rates before it is cut off; more than 1 s. Default 5 s.</summary>
    public TimeSpan MinDataRateGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Concurrent HTTP/2 streams per connection. Default 100 (Kestrel's own, RFC 9113 §6.5.2 minimum advice).</summary>
    public int Http2MaxStreamsPerConnection { get; init; } = 100;
}

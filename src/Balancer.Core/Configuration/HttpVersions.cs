namespace Balancer.Core.Configuration;

/// <summary>The HTTP versions a pool speaks to its backends (<c>pools.NAME.httpVersion</c>).</summary>
public static class HttpVersions
{
    /// <summary>HTTP/1.1 to <c>http://</c> backends; h2 or HTTP/1.1 as ALPN settles it with <c>https://</c> ones. The default.</summary>
    public const string Auto = "auto";

    /// <summary>HTTP/1.1 only.</summary>
    public const string Http11 = "1.1";

    /// <summary>HTTP/2 only: prior knowledge (h2c, RFC 9113 §3.3) to <c>http://</c> backends, h2 by ALPN to <c>https://</c> ones. What gRPC needs.</summary>
    public const string Http2 = "2";

    /// <summary>Every accepted name.</summary>
    public static readonly string[] All = [Auto, Http11, Http2];

    /// <summary>The canonical name of what config wrote (<c>2</c>, <c>2.0</c>, <c>1.1</c>, <c>auto</c>, as a string or a number); null when it is none.</summary>
    public static string? Normalize(string written) => written switch
    {
        Auto => Auto,
        Http11 or "1.1.0" => Http11,
        Http2 or "2.0" => Http2,
        _ => null,
    };
}

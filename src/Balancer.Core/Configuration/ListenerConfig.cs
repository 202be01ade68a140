namespace Balancer.Core.Configuration;

/// <summary>One front-end listener.</summary>
public sealed record ListenerConfig
{
    /// <summary><c>http</c> (L7 through YARP) or <c>tcp</c> (L4). Default <c>http</c>.</summary>
    public string Protocol { get; init; } = ListenerProtocols.Http;

    /// <summary>Address and port to listen on, e.g. <c>0.0.0.0:8080</c> or <c>[::1]:8080</c>.</summary>
    public string Bind { get; init; } = "";

    /// <summary>HTTP routes, matched by host then path; only for <c>http</c> listeners.</summary>
    public IReadOnlyList<RouteConfig> Routes { get; init; } = [];

    /// <summary>The pool a <c>tcp</c> listener sends every connection to.</summary>
    public string? Pool { get; init; }
}

/// <summary>Listener protocol names as they appear in config.</summary>
public static class ListenerProtocols
{
    /// <summary>HTTP/1.1 and HTTP/2 (h2c) proxied at L7.</summary>
    public const string Http = "http";

    /// <summary>Plain TCP proxied at L4.</summary>
    public const string Tcp = "tcp";
}

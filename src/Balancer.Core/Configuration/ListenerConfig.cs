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

    /// <summary>
    /// Most connections a <c>tcp</c> listener holds open at once; more are closed on accept. 0 means no
    /// limit. Default 10 000 (HAProxy's <c>maxconn</c> role: keep file descriptors for the backend side).
    /// </summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>
    /// A <c>tcp</c> connection with no byte in either direction for this long is closed (HAProxy's
    /// <c>timeout tunnel</c>). Default 1 h: database clients keep pooled connections idle for minutes.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a <c>tcp</c> listener waits for a backend to accept (HAProxy's <c>timeout connect</c>), and
    /// for an inbound PROXY header when <see cref="AcceptProxyProtocol"/> is on. Default 5 s.
    /// </summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When true, every connection to this <c>tcp</c> listener must start with a PROXY protocol v1 or v2
    /// header, whose source address then stands for the client. Default false.
    /// </summary>
    public bool AcceptProxyProtocol { get; init; }

    /// <summary>HTTPS on an <c>http</c> listener; null (the default) serves cleartext HTTP/1.1 and h2c.</summary>
    public ListenerTlsConfig? Tls { get; init; }

    /// <summary>
    /// On a cleartext <c>http</c> listener: answer requests that match no route with a 308 redirect to
    /// <c>https://</c> the same host on this port (443 is left out of the URL). Null (the default) does not redirect.
    /// </summary>
    public int? RedirectToHttps { get; init; }

    /// <summary>
    /// Addresses or CIDR blocks of proxies in front of this <c>http</c> listener. A client among them has its
    /// <c>X-Forwarded-For</c> appended to; anyone else's is replaced by its own address, so a client cannot forge
    /// the address backends log and trust. Default empty (trust nobody).
    /// </summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];

    /// <summary>Resource limits of an <c>http</c> listener; defaults apply when absent.</summary>
    public ListenerLimitsConfig Limits { get; init; } = new();

    /// <summary>
    /// Which forwarder an <c>http</c> listener sends requests with: <c>auto</c> (the default) takes Balancer's lean
    /// HTTP/1.1 forwarder wherever it applies (an HTTP/1.x request to a plain <c>http://</c> backend) and YARP's for
    /// the rest; <c>yarp</c> sends every request through YARP's. Both send and return the same bytes.
    /// </summary>
    public string Forwarder { get; init; } = ListenerForwarders.Auto;
}

/// <summary>Listener protocol names as they appear in config.</summary>
public static class ListenerProtocols
{
    /// <summary>HTTP/1.1 and HTTP/2 (h2c) proxied at L7.</summary>
    public const string Http = "http";

    /// <summary>Plain TCP proxied at L4.</summary>
    public const string Tcp = "tcp";
}

/// <summary>Forwarder names of an <c>http</c> listener as they appear in config.</summary>
public static class ListenerForwarders
{
    /// <summary>The lean HTTP/1.1 forwarder where it applies, YARP's elsewhere.</summary>
    public const string Auto = "auto";

    /// <summary>YARP's forwarder for every request.</summary>
    public const string Yarp = "yarp";

    /// <summary>Every name, in the order error messages list them.</summary>
    public static readonly IReadOnlyList<string> All = [Auto, Yarp];
}

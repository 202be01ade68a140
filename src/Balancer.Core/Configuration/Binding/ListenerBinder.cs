namespace Balancer.Core.Configuration.Binding;

/// <summary>Binds one entry of the <c>listeners</c> map: its routes, L4 settings, forwarding trust and limits.</summary>
internal static class ListenerBinder
{
    /// <summary>The fields a listener may hold.</summary>
    public static readonly string[] ListenerFields =
    [
        "protocol", "bind", "routes", "pool", "maxConnections", "idleTimeout", "connectTimeout", "acceptProxyProtocol",
        "trustedProxies", "limits", "tls", "redirectToHttps", "forwarder",
    ];

    private static readonly string[] s_protocols = [ListenerProtocols.Http, ListenerProtocols.Tcp];
    private static readonly string[] s_limitFields =
    [
        "maxConcurrentConnections", "maxRequestHeadersTotalSize", "maxRequestHeaderCount", "maxRequestLineSize", "requestHeadersTimeout", "keepAliveTimeout",
        "maxRequestBodySize", "minRequestBodyDataRate", "minResponseDataRate", "minDataRateGracePeriod", "http2MaxStreamsPerConnection",
    ];

    /// <summary>Binds the listener <paramref name="reader"/> reads.</summary>
    public static ListenerConfig BindListener(ObjectReader reader)
    {
        var defaults = new ListenerConfig();
        return new ListenerConfig
        {
            Protocol = reader.Choice("protocol", "protocol", s_protocols) ?? defaults.Protocol,
            Bind = reader.RequiredString("bind"),
            Routes = reader.Objects("routes", RouteBinder.RouteFields)?.Select(RouteBinder.BindRoute).ToList() ?? defaults.Routes,
            Pool = reader.String("pool"),
            MaxConnections = reader.Int("maxConnections") ?? defaults.MaxConnections,
            IdleTimeout = reader.Duration("idleTimeout") ?? defaults.IdleTimeout,
            ConnectTimeout = reader.Duration("connectTimeout") ?? defaults.ConnectTimeout,
            AcceptProxyProtocol = reader.Bool("acceptProxyProtocol") ?? defaults.AcceptProxyProtocol,
            TrustedProxies = reader.Strings("trustedProxies") ?? defaults.TrustedProxies,
            Limits = reader.Object("limits", s_limitFields) is { } limits ? BindLimits(limits) : defaults.Limits,
            Tls = reader.Object("tls", TlsBinder.ListenerTlsFields) is { } tls ? TlsBinder.BindListener(tls) : defaults.Tls,
            RedirectToHttps = reader.Int("redirectToHttps") ?? defaults.RedirectToHttps,
            Forwarder = reader.Choice("forwarder", "forwarder", ListenerForwarders.All) ?? defaults.Forwarder,
        };
    }

    private static ListenerLimitsConfig BindLimits(ObjectReader reader)
    {
        var defaults = new ListenerLimitsConfig();
        return new ListenerLimitsConfig
        {
            MaxConcurrentConnections = reader.Int("maxConcurrentConnections") ?? defaults.MaxConcurrentConnections,
            MaxRequestHeadersTotalSize = reader.Int("maxRequestHeadersTotalSize") ?? defaults.MaxRequestHeadersTotalSize,
            MaxRequestHeaderCount = reader.Int("maxRequestHeaderCount") ?? defaults.MaxRequestHeaderCount,
            MaxRequestLineSize = reader.Int("maxRequestLineSize") ?? defaults.MaxRequestLineSize,
            RequestHeadersTimeout = reader.Duration("requestHeadersTimeout") ?? defaults.RequestHeadersTimeout,
            KeepAliveTimeout = reader.Duration("keepAliveTimeout") ?? defaults.KeepAliveTimeout,
            MaxRequestBodySize = reader.Int("maxRequestBodySize") ?? defaults.MaxRequestBodySize,
            MinRequestBodyDataRate = reader.Int("minRequestBodyDataRate") ?? defaults.MinRequestBodyDataRate,
            MinResponseDataRate = reader.Int("minResponseDataRate") ?? defaults.MinResponseDataRate,
            MinDataRateGracePeriod = reader.Duration("minDataRateGracePeriod") ?? defaults.MinDataRateGracePeriod,
            Http2MaxStreamsPerConnection = reader.Int("http2MaxStreamsPerConnection") ?? defaults.Http2MaxStreamsPerConnection,
        };
    }
}

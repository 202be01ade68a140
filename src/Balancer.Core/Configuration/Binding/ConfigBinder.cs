using Balancer.Core.Configuration.Parsing;

namespace Balancer.Core.Configuration.Binding;

/// <summary>
/// Binds the positioned JSON tree into <see cref="BalancerConfig"/> by hand, so every unknown field, wrong type
/// and missing required field is reported with its position; a field with a problem keeps its default.
/// </summary>
internal static class ConfigBinder
{
    private static readonly string[] s_rootFields = ["listeners", "pools", "failover", "admin", "telemetry"];
    private static readonly string[] s_telemetryFields = ["otlpEndpoint", "otlpProtocol", "sampleRatio", "serviceName", "accessLog"];
    private static readonly string[] s_listenerFields = ["protocol", "bind", "routes", "pool", "maxConnections", "idleTimeout", "connectTimeout", "acceptProxyProtocol", "tls", "redirectToHttps"];
    private static readonly string[] s_routeFields = ["hosts", "path", "pool"];
    private static readonly string[] s_adminFields = ["bind", "tokenFile"];
    private static readonly string[] s_protocols = [ListenerProtocols.Http, ListenerProtocols.Tcp];

    /// <summary>Binds <paramref name="root"/>; null when it is not an object.</summary>
    public static BalancerConfig? Bind(JsonNode root, ConfigDiagnostics diagnostics)
    {
        if (root is not JsonObject obj)
        {
            diagnostics.Report(root.Offset, "", $"the config must be a JSON object, got {root.Kind}");
            return null;
        }

        var reader = new ObjectReader(diagnostics, obj, "", s_rootFields);
        var defaults = new BalancerConfig();
        return new BalancerConfig
        {
            Listeners = reader.Object("listeners", known: null)?.Entries(s_listenerFields)
                .ToDictionary(e => e.Name, e => BindListener(e.Reader), StringComparer.Ordinal) ?? defaults.Listeners,
            Pools = PoolBinder.BindPools(reader.Object("pools", known: null)) ?? defaults.Pools,
            Failover = reader.Object("failover", FailoverBinder.FailoverFields) is { } failover ? FailoverBinder.BindFailover(failover) : null,
            Admin = reader.Object("admin", s_adminFields) is { } admin ? BindAdmin(admin) : defaults.Admin,
            Telemetry = reader.Object("telemetry", s_telemetryFields) is { } telemetry ? BindTelemetry(telemetry) : defaults.Telemetry,
        };
    }

    private static ListenerConfig BindListener(ObjectReader reader)
    {
        var defaults = new ListenerConfig();
        return new ListenerConfig
        {
            Protocol = reader.Choice("protocol", "protocol", s_protocols) ?? defaults.Protocol,
            Bind = reader.RequiredString("bind"),
            Routes = reader.Objects("routes", s_routeFields)?.Select(BindRoute).ToList() ?? defaults.Routes,
            Pool = reader.String("pool"),
            MaxConnections = reader.Int("maxConnections") ?? defaults.MaxConnections,
            IdleTimeout = reader.Duration("idleTimeout") ?? defaults.IdleTimeout,
            ConnectTimeout = reader.Duration("connectTimeout") ?? defaults.ConnectTimeout,
            AcceptProxyProtocol = reader.Bool("acceptProxyProtocol") ?? defaults.AcceptProxyProtocol,
            Tls = reader.Object("tls", TlsBinder.ListenerTlsFields) is { } tls ? TlsBinder.BindListener(tls) : defaults.Tls,
            RedirectToHttps = reader.Int("redirectToHttps") ?? defaults.RedirectToHttps,
        };
    }

    private static RouteConfig BindRoute(ObjectReader reader)
    {
        var defaults = new RouteConfig();
        return new RouteConfig
        {
            Hosts = reader.Strings("hosts") ?? defaults.Hosts,
            Path = reader.String("path") ?? defaults.Path,
            Pool = reader.RequiredString("pool"),
        };
    }

    private static TelemetryConfig BindTelemetry(ObjectReader reader)
    {
        var defaults = new TelemetryConfig();
        return new TelemetryConfig
        {
            OtlpEndpoint = reader.String("otlpEndpoint") ?? defaults.OtlpEndpoint,
            OtlpProtocol = reader.Choice("otlpProtocol", "OTLP protocol", ["http", "grpc"]) ?? defaults.OtlpProtocol,
            SampleRatio = reader.Double("sampleRatio") ?? defaults.SampleRatio,
            ServiceName = reader.String("serviceName") ?? defaults.ServiceName,
            AccessLog = reader.String("accessLog") ?? defaults.AccessLog,
        };
    }

    private static AdminConfig BindAdmin(ObjectReader reader)
    {
        var defaults = new AdminConfig();
        return new AdminConfig
        {
            Bind = reader.String("bind") ?? defaults.Bind,
            TokenFile = reader.String("tokenFile") ?? defaults.TokenFile,
        };
    }
}

using Balancer.Core.Configuration.Parsing;

namespace Balancer.Core.Configuration.Binding;

/// <summary>
/// Binds the positioned JSON tree into <see cref="BalancerConfig"/> by hand, so every unknown field, wrong type
/// and missing required field is reported with its position; a field with a problem keeps its default.
/// </summary>
internal static class ConfigBinder
{
    private static readonly string[] s_rootFields = ["listeners", "pools", "failover", "announce", "admin", "telemetry"];
    private static readonly string[] s_telemetryFields = ["otlpEndpoint", "otlpProtocol", "sampleRatio", "serviceName", "accessLog", "detailedMeters"];
    private static readonly string[] s_adminFields = ["bind", "tokenFile", "auditLog"];

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
            Listeners = reader.Object("listeners", known: null)?.Entries(ListenerBinder.ListenerFields)
                .ToDictionary(e => e.Name, e => ListenerBinder.BindListener(e.Reader), StringComparer.Ordinal) ?? defaults.Listeners,
            Pools = PoolBinder.BindPools(reader.Object("pools", known: null)) ?? defaults.Pools,
            Failover = reader.Object("failover", FailoverBinder.FailoverFields) is { } failover ? FailoverBinder.BindFailover(failover) : null,
            Announce = reader.Object("announce", AnnounceBinder.AnnounceFields) is { } announce ? AnnounceBinder.BindAnnounce(announce) : null,
            Admin = reader.Object("admin", s_adminFields) is { } admin ? BindAdmin(admin) : defaults.Admin,
            Telemetry = reader.Object("telemetry", s_telemetryFields) is { } telemetry ? BindTelemetry(telemetry) : defaults.Telemetry,
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
            DetailedMeters = reader.Bool("detailedMeters") ?? defaults.DetailedMeters,
        };
    }

    private static AdminConfig BindAdmin(ObjectReader reader)
    {
        var defaults = new AdminConfig();
        return new AdminConfig
        {
            Bind = reader.String("bind") ?? defaults.Bind,
            TokenFile = reader.String("tokenFile") ?? defaults.TokenFile,
            AuditLog = reader.String("auditLog") ?? defaults.AuditLog,
        };
    }
}

using Balancer.Core.Configuration.Binding;
using Balancer.Core.Grpc;

namespace Balancer.Core.Configuration.Validation;

/// <summary>
/// Checks what a pool says about HTTP/2 and gRPC: <c>httpVersion</c>, the <c>grpc</c> probe and its <c>service</c>, and
/// <c>passive.grpcFailureStatuses</c>; and that a <c>tcp</c> pool, which speaks no HTTP, sets none of them.
/// </summary>
internal static class GrpcSettingsValidator
{
    /// <summary>Checks the pool at <paramref name="path"/>, used by listeners of kind <paramref name="use"/>.</summary>
    public static void CheckPool(PoolConfig pool, string path, PoolUse use, ConfigDiagnostics diagnostics)
    {
        var passivePath = ConfigPath.Child(ConfigPath.Child(path, "passive"), "grpcFailureStatuses");
        var healthPath = ConfigPath.Child(path, "health");
        if (use == PoolUse.Tcp)
        {
            ReportTcp(diagnostics, ConfigPath.Child(path, "httpVersion"), pool.HttpVersion != HttpVersions.Auto, "'httpVersion'");
            ReportTcp(diagnostics, passivePath, !IsDefault(pool.Passive.GrpcFailureStatuses), "'grpcFailureStatuses'");
            ReportTcp(diagnostics, ConfigPath.Child(healthPath, "probe"), pool.Health?.Probe == ProbeKinds.Grpc, "the grpc probe");
        }

        for (var i = 0; i < pool.Passive.GrpcFailureStatuses.Count; i++)
        {
            var name = pool.Passive.GrpcFailureStatuses[i];
            if (!GrpcStatusCodes.TryParse(name, out var code))
            {
                diagnostics.Report(ConfigPath.Item(passivePath, i), $"unknown gRPC status '{name}'{NameSuggester.Hint(name, GrpcStatusCodes.Names)}");
            }
            else if (code == GrpcStatusCodes.Ok)
            {
                diagnostics.Report(ConfigPath.Item(passivePath, i), "OK is success; list the statuses that mean the backend failed, e.g. UNAVAILABLE");
            }
        }

        if (pool.Health is not { } health)
        {
            return;
        }

        if (health.Service is not null && health.Probe != ProbeKinds.Grpc)
        {
            diagnostics.Report(ConfigPath.Child(healthPath, "service"), $"'service' is only for the grpc probe; this pool's probe is '{health.Probe}'");
        }

        if (health.Probe == ProbeKinds.Grpc && pool.HttpVersion == HttpVersions.Http11)
        {
            diagnostics.Report(
                ConfigPath.Child(healthPath, "probe"),
                "the grpc probe speaks HTTP/2, but this pool sends its traffic over HTTP/1.1 (httpVersion \"1.1\"), which gRPC backends do not serve; set httpVersion to \"2\"",
                ConfigErrorSeverity.Warning);
        }
    }

    private static bool IsDefault(IReadOnlyList<string> statuses) =>
        statuses is [PassiveHealthConfig.DefaultGrpcFailureStatus];

    private static void ReportTcp(ConfigDiagnostics diagnostics, string path, bool set, string what)
    {
        if (set)
        {
            diagnostics.Report(path, $"{what} is only for http pools; a tcp pool speaks no HTTP");
        }
    }
}

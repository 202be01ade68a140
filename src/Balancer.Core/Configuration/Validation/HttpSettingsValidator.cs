using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>
/// Checks the L7-only settings: an <c>http</c> listener's trusted proxies, limits and forwarder, an <c>http</c> pool's request caps;
/// and that a <c>tcp</c> listener or pool does not set them (they would silently do nothing there).
/// </summary>
internal static class HttpSettingsValidator
{
    private const int MaxCount = 1_000_000;
    private const int MaxBytes = int.MaxValue;

    /// <summary>Checks the listener at <paramref name="path"/>.</summary>
    public static void CheckListener(ListenerConfig listener, string path, ConfigDiagnostics diagnostics)
    {
        if (listener.Protocol == ListenerProtocols.Tcp)
        {
            ReportTcp(diagnostics, path, "trustedProxies", listener.TrustedProxies.Count > 0, "listener");
            ReportTcp(diagnostics, path, "limits", listener.Limits != new ListenerLimitsConfig(), "listener");
            ReportTcp(diagnostics, path, "forwarder", listener.Forwarder != ListenerForwarders.Auto, "listener");
            return;
        }

        var proxiesPath = ConfigPath.Child(path, "trustedProxies");
        for (var i = 0; i < listener.TrustedProxies.Count; i++)
        {
            ConfigValidator.Report(diagnostics, ConfigPath.Item(proxiesPath, i), AddressSyntax.CheckTrustedProxy(listener.TrustedProxies[i]));
        }

        CheckLimits(listener.Limits, ConfigPath.Child(path, "limits"), diagnostics);
    }

    /// <summary>Checks the pool at <paramref name="path"/>, used by listeners of kind <paramref name="use"/>.</summary>
    public static void CheckPool(PoolConfig pool, string path, PoolUse use, ConfigDiagnostics diagnostics)
    {
        if (use == PoolUse.Tcp)
        {
            ReportTcp(diagnostics, path, "maxRequestsPerBackend", pool.MaxRequestsPerBackend != 0, "pool");
            ReportTcp(diagnostics, path, "maxPendingRequests", pool.MaxPendingRequests != 0, "pool");
        }

        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(path, "maxRequestsPerBackend"), "maxRequestsPerBackend", pool.MaxRequestsPerBackend, 0, MaxCount);
        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(path, "maxPendingRequests"), "maxPendingRequests", pool.MaxPendingRequests, 0, MaxCount);
    }

    private static void CheckLimits(ListenerLimitsConfig limits, string path, ConfigDiagnostics diagnostics)
    {
        // Kestrel itself throws on zero or negative sizes and timeouts; report them here with a position instead.
        CheckInt(diagnostics, path, "maxConcurrentConnections", limits.MaxConcurrentConnections, 0, MaxCount);
        CheckInt(diagnostics, path, "maxRequestHeadersTotalSize", limits.MaxRequestHeadersTotalSize, 1024, MaxBytes);
        CheckInt(diagnostics, path, "maxRequestHeaderCount", limits.MaxRequestHeaderCount, 1, MaxCount);
        CheckInt(diagnostics, path, "maxRequestLineSize", limits.MaxRequestLineSize, 256, MaxBytes);
        CheckInt(diagnostics, path, "maxRequestBodySize", limits.MaxRequestBodySize, 0, MaxBytes);
        CheckInt(diagnostics, path, "minRequestBodyDataRate", limits.MinRequestBodyDataRate, 0, MaxBytes);
        CheckInt(diagnostics, path, "minResponseDataRate", limits.MinResponseDataRate, 0, MaxBytes);
        CheckInt(diagnostics, path, "http2MaxStreamsPerConnection", limits.Http2MaxStreamsPerConnection, 1, MaxCount);
        var durations = new[]
        {
            ("requestHeadersTimeout", limits.RequestHeadersTimeout),
            ("keepAliveTimeout", limits.KeepAliveTimeout),
            ("minDataRateGracePeriod", limits.MinDataRateGracePeriod),
        };
        foreach (var (name, value) in durations)
        {
            if (value <= TimeSpan.Zero)
            {
                diagnostics.Report(ConfigPath.Child(path, name), $"{name} must be more than zero");
            }
        }

        // Kestrel's MinDataRate refuses a grace period of 1 s or less (its heartbeat granularity).
        if (limits.MinDataRateGracePeriod > TimeSpan.Zero && limits.MinDataRateGracePeriod <= TimeSpan.FromSeconds(1))
        {
            diagnostics.Report(ConfigPath.Child(path, "minDataRateGracePeriod"), "minDataRateGracePeriod must be more than 1s");
        }
    }

    private static void CheckInt(ConfigDiagnostics diagnostics, string path, string name, int value, int min, int max) =>
        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(path, name), name, value, min, max);

    private static void ReportTcp(ConfigDiagnostics diagnostics, string path, string field, bool set, string what)
    {
        if (set)
        {
            diagnostics.Report(ConfigPath.Child(path, field), $"'{field}' is only for http {what}s; remove it from this tcp {what}");
        }
    }
}

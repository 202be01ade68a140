using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>
/// Checks the L4-only settings of listeners and pools: their ranges on <c>tcp</c> ones, and that an
/// <c>http</c> listener or pool does not set them (they would silently do nothing there).
/// </summary>
internal static class TcpSettingsValidator
{
    private const int MaxConnectionsLimit = 1_000_000;

    /// <summary>Checks the listener at <paramref name="path"/>.</summary>
    public static void CheckListener(ListenerConfig listener, string path, ConfigDiagnostics diagnostics)
    {
        if (listener.Protocol != ListenerProtocols.Tcp)
        {
            var defaults = new ListenerConfig();
            ReportHttp(diagnostics, path, "maxConnections", listener.MaxConnections != defaults.MaxConnections, "listener");
            ReportHttp(diagnostics, path, "idleTimeout", listener.IdleTimeout != defaults.IdleTimeout, "listener");
            ReportHttp(diagnostics, path, "connectTimeout", listener.ConnectTimeout != defaults.ConnectTimeout, "listener");
            return;
        }

        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(path, "maxConnections"), "maxConnections", listener.MaxConnections, 0, MaxConnectionsLimit);
        foreach (var (name, value) in new[] { ("idleTimeout", listener.IdleTimeout), ("connectTimeout", listener.ConnectTimeout) })
        {
            if (value <= TimeSpan.Zero)
            {
                diagnostics.Report(ConfigPath.Child(path, name), $"{name} must be more than zero");
            }
        }
    }

    /// <summary>Checks the pool at <paramref name="path"/>, used by listeners of kind <paramref name="use"/>.</summary>
    public static void CheckPool(PoolConfig pool, string path, PoolUse use, ConfigDiagnostics diagnostics)
    {
        if (use == PoolUse.Http)
        {
            ReportHttp(diagnostics, path, "maxConnectionsPerBackend", pool.MaxConnectionsPerBackend != 0, "pool");
            ReportHttp(diagnostics, path, "proxyProtocol", pool.ProxyProtocol != ProxyProtocolVersions.None, "pool");
        }

        PoolValidator.CheckRange(
            diagnostics, ConfigPath.Child(path, "maxConnectionsPerBackend"), "maxConnectionsPerBackend", pool.MaxConnectionsPerBackend, 0, MaxConnectionsLimit);
    }

    private static void ReportHttp(ConfigDiagnostics diagnostics, string path, string field, bool set, string what)
    {
        if (set)
        {
            diagnostics.Report(ConfigPath.Child(path, field), $"'{field}' is only for tcp {what}s; remove it from this http {what}");
        }
    }
}

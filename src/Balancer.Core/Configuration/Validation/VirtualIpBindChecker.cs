using System.Net;
using System.Net.Sockets;
using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>
/// Warns about a listener bound to one of <c>failover.virtualIps</c>. Only the master holds that address, and not yet
/// while it starts (listeners bind before the node takes part in failover), so the bind fails with "Cannot assign
/// requested address" on both nodes unless the kernel allows binding addresses the host does not have
/// (<c>net.ipv4.ip_nonlocal_bind=1</c>, <c>net.ipv6.ip_nonlocal_bind=1</c>, which HAProxy + keepalived setups use for
/// the same reason). It depends on this host's sysctls, so it runs only where referenced files are checked.
/// </summary>
internal static class VirtualIpBindChecker
{
    /// <summary>Reports a warning per listener bound to a virtual IP while this host's non-local bind sysctl is off.</summary>
    public static void Check(BalancerConfig config, ConfigDiagnostics diagnostics)
    {
        foreach (var (path, message) in Find(config, ReadProc))
        {
            diagnostics.Report(path, message, ConfigErrorSeverity.Warning);
        }
    }

    /// <summary>Each listener bound to a virtual IP that cannot be bound here: its config path and the warning.</summary>
    /// <param name="readSysctl">Reads a file under <c>/proc/sys</c>; null when it cannot be read.</param>
    public static IEnumerable<(string Path, string Message)> Find(BalancerConfig config, Func<string, string?> readSysctl)
    {
        var vips = (config.Failover?.AllVirtualIps ?? [])
            .Select(v => IPAddress.TryParse(v.Split('/')[0], out var ip) ? ip : null)
            .OfType<IPAddress>()
            .ToHashSet();
        foreach (var (name, listener) in config.Listeners)
        {
            if (AddressSyntax.CheckBind(listener.Bind, out var bind) is not null || !IPAddress.TryParse(bind.Host, out var ip) || !vips.Contains(ip))
            {
                continue;
            }

            var family = ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";
            var value = readSysctl($"/proc/sys/net/{family}/ip_nonlocal_bind")?.Trim();
            if (value == "1")
            {
                continue;
            }

            var sysctl = $"net.{family}.ip_nonlocal_bind";
            var wildcard = family == "ipv6" ? $"[::]:{bind.Port}" : $"0.0.0.0:{bind.Port}";
            yield return (
                ConfigPath.Child(ConfigPath.Child("listeners", name), "bind"),
                $"'{listener.Bind}' is a failover virtual IP, which a node holds only as master and not yet while it starts, so both nodes "
                + $"will fail with 'Cannot assign requested address' unless {sysctl}=1 ({(value is null ? "unknown" : value)} here): "
                + $"bind {wildcard} instead, or set the sysctl on both nodes (docs/failover.md)");
        }
    }

    private static string? ReadProc(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

using System.Net;
using Balancer.Core.Announce;
using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>
/// Checks the <c>announce</c> block: host addresses not shared with <c>failover</c>, the interface, tracked pools,
/// the timers; and warns when no listener can take the announced addresses' traffic.
/// </summary>
internal static class AnnounceValidator
{
    private const string Path = "announce";

    /// <summary>Checks <paramref name="config"/>'s announce block, when it has one.</summary>
    public static void Validate(BalancerConfig config, ConfigDiagnostics diagnostics)
    {
        if (config.Announce is not { } announce)
        {
            return;
        }

        var addresses = CheckAddresses(announce, config.Failover, diagnostics);
        if (AddressSyntax.CheckInterface(announce.Interface) is { } interfaceError)
        {
            diagnostics.Report(ConfigPath.Child(Path, "interface"), interfaceError);
        }

        if (announce.Track is { } track)
        {
            CheckTrack(track, config.Pools, diagnostics);
        }

        CheckTimers(announce, diagnostics);
        if (addresses.Count == announce.VirtualIps.Count)
        {
            CheckListeners(config, addresses, diagnostics); // with every address known, or it would warn of the wrong ones
        }
    }

    private static List<IPAddress> CheckAddresses(AnnounceConfig announce, FailoverConfig? failover, ConfigDiagnostics diagnostics)
    {
        var path = ConfigPath.Child(Path, "virtualIps");
        if (announce.VirtualIps.Count == 0)
        {
            diagnostics.Report(path, "announce needs at least one virtual IP");
        }

        // RFC-wise nothing stops one address from being both; but the failover master would add it while a
        // withdrawn node takes it away, and the router would see it from every node at once.
        var floated = (failover?.VirtualIps ?? []).Select((vip, i) => (Address: IPAddress.TryParse(vip.Split('/')[0], out var ip) ? ip : null, Index: i)).ToList();
        var seen = new List<IPAddress>();
        for (var i = 0; i < announce.VirtualIps.Count; i++)
        {
            var at = ConfigPath.Item(path, i);
            if (AnnouncedAddress.Parse(announce.VirtualIps[i], out var error) is not { } vip)
            {
                diagnostics.Report(at, error!);
                continue;
            }

            if (seen.Contains(vip.Address))
            {
                diagnostics.Report(at, $"{vip.Address} is listed twice");
            }
            else if (floated.FirstOrDefault(f => vip.Address.Equals(f.Address)) is { Address: not null } both)
            {
                diagnostics.Report(at, $"{vip.Address} is also failover.virtualIps[{both.Index}]: an address is either announced to an ECMP router by every healthy node or floated between a failover pair, not both");
            }

            seen.Add(vip.Address);
        }

        return seen;
    }

    private static void CheckTrack(AnnounceTrackConfig track, IReadOnlyDictionary<string, PoolConfig> pools, ConfigDiagnostics diagnostics)
    {
        var path = ConfigPath.Child(ConfigPath.Child(Path, "track"), "pools");
        if (track.Pools.Count == 0)
        {
            diagnostics.Report(path, "track needs at least one pool name; leave 'track' out to track the listeners alone");
        }

        for (var i = 0; i < track.Pools.Count; i++)
        {
            if (!pools.ContainsKey(track.Pools[i]))
            {
                diagnostics.Report(ConfigPath.Item(path, i), $"unknown pool '{track.Pools[i]}'{NameSuggester.Hint(track.Pools[i], [.. pools.Keys])}");
            }
        }
    }

    private static void CheckTimers(AnnounceConfig announce, ConfigDiagnostics diagnostics)
    {
        if (announce.Interval < TimeSpan.FromMilliseconds(100) || announce.Interval > TimeSpan.FromMinutes(1))
        {
            diagnostics.Report(ConfigPath.Child(Path, "interval"), "interval must be from 100ms to 1m");
        }

        if (announce.WithdrawDelay > TimeSpan.FromMinutes(1))
        {
            diagnostics.Report(ConfigPath.Child(Path, "withdrawDelay"), "withdrawDelay must be at most 1m: it is how long the router takes to converge, and a stop waits for it");
        }

        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(Path, "rise"), "rise", announce.Rise, 1, 100);
        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(Path, "fall"), "fall", announce.Fall, 1, 100);
        var lifetime = announce.AddressLifetime;
        if (lifetime == TimeSpan.Zero)
        {
            return;
        }

        // The kernel counts address lifetimes in whole seconds (struct ifa_cacheinfo); each check renews them.
        if (lifetime.Ticks % TimeSpan.TicksPerSecond != 0 || lifetime > TimeSpan.FromHours(1))
        {
            diagnostics.Report(ConfigPath.Child(Path, "addressLifetime"), "addressLifetime must be whole seconds up to 1h, or 0s for addresses that never expire");
        }
        else if (lifetime < 2 * announce.Interval)
        {
            diagnostics.Report(ConfigPath.Child(Path, "addressLifetime"), $"addressLifetime must be at least twice the interval ({Durations.Format(2 * announce.Interval)}), or the addresses expire between two checks");
        }
    }

    /// <summary>A listener bound to a virtual IP cannot start while the address is withdrawn; one on loopback never sees its traffic.</summary>
    private static void CheckListeners(BalancerConfig config, List<IPAddress> vips, ConfigDiagnostics diagnostics)
    {
        var reachable = false;
        foreach (var (name, listener) in config.Listeners)
        {
            if (AddressSyntax.CheckBind(listener.Bind, out var bind) is not null)
            {
                continue;
            }

            var host = IPAddress.Parse(bind.Host);
            if (vips.Contains(host))
            {
                diagnostics.Report(
                    ConfigPath.Child(ConfigPath.Child("listeners", name), "bind"),
                    $"binds the announced {host}, which is on the interface only while announced: bind *:{bind.Port} instead, or set sysctl net.ipv4.ip_nonlocal_bind=1 (net.ipv6.ip_nonlocal_bind for IPv6)",
                    ConfigErrorSeverity.Warning);
            }

            reachable |= bind.IsWildcard || vips.Contains(host);
        }

        if (!reachable && vips.Count > 0)
        {
            diagnostics.Report(ConfigPath.Child(Path, "virtualIps"), "no listener binds a wildcard address (*:port) or an announced address, so none receives the announced traffic", ConfigErrorSeverity.Warning);
        }
    }
}

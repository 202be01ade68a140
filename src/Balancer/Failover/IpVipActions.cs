using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Balancer.Linux;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// <c>vipAction: "ip"</c>: what <c>ip addr add|del &lt;vip&gt; dev &lt;interface&gt;</c> and <c>arping -U</c> do, as
/// keepalived does for a VRRP instance without a virtual MAC — sent directly over rtnetlink and an AF_PACKET socket, as
/// keepalived does too, so that no process start lies on a takeover's critical path. When the direct way fails (not
/// Linux, no capability, a kernel that refuses) the failure is logged once and the commands (iproute2, iputils-arping)
/// run instead. IPv6 virtual IPs are announced with <c>ndsend</c> when it is installed and otherwise skipped
/// (neighbours learn them on first use).
/// </summary>
internal sealed class IpVipActions(string device, IReadOnlyList<string> virtualIps, CommandRunner runner, ILogger logger) : IVipActions
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(5);
    private int _directFailed;
    private (int Index, byte[] Mac)? _link;

    private readonly (string Vip, IPAddress Address, int Prefix)[] _parsed = [.. virtualIps.Select(ParseVip)];

    public Task AddAsync()
    {
        List<string>? rest = null;
        foreach (var (vip, address, prefix) in _parsed)
        {
            if (!TryDirect(() => RtNetlink.ChangeAddress(add: true, InterfaceIndex(), address, prefix), "ip addr add"))
            {
                (rest ??= []).Add(vip);
            }
        }

        return rest is null ? Task.CompletedTask : RunIpAsync("add", rest);
    }

    /// <summary>
    /// Checks at startup that the interface exists (a typo is logged at once, not at the first takeover), and so
    /// binds the native calls and looks up the MAC before a takeover needs them; with iproute2 when they are unavailable.
    /// </summary>
    public async Task PrepareAsync()
    {
        if (TryDirect(PrepareDirect, $"interface {device}") || FindIp() is not { } ip)
        {
            return;
        }

        await runner.RunAsync(ip, ["-brief", "link", "show", "dev", device], _timeout);
    }

    /// <summary>
    /// Removes over rtnetlink, on the caller's thread, each virtual IP the kernel has; where that fails, removes with
    /// iproute2 those that <see cref="NetworkInterface"/> lists on the interface.
    /// </summary>
    public async Task<IReadOnlyList<string>> RemoveAsync()
    {
        var removed = new List<string>();
        List<string>? rest = null;
        foreach (var (vip, address, prefix) in _parsed)
        {
            var gone = false;
            if (TryDirect(() => gone = RtNetlink.ChangeAddress(add: false, InterfaceIndex(), address, prefix), "ip addr del"))
            {
                if (gone)
                {
                    removed.Add(vip);
                }
            }
            else if (IsOnInterface(address))
            {
                (rest ??= []).Add(vip);
            }
        }

        if (rest is not null)
        {
            removed.AddRange(await RunIpAsync("del", rest));
        }

        return removed;
    }

    /// <summary>Announces every IPv4 virtual IP at once, on the caller's thread; arping and ndsend only where that fails.</summary>
    public Task AnnounceAsync()
    {
        // Plain loops: LINQ over these tuples costs milliseconds of JIT on the first takeover of a process.
        List<Task>? rest = null;
        foreach (var (_, address, _) in _parsed)
        {
            if (address.AddressFamily != AddressFamily.InterNetwork || !TryDirect(() => GratuitousArp.Send(Link(), address), "gratuitous ARP"))
            {
                (rest ??= []).Add(AnnounceWithCommandAsync(address));
            }
        }

        return rest is null ? Task.CompletedTask : Task.WhenAll(rest);
    }

    private async Task AnnounceWithCommandAsync(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            // -U: unsolicited (gratuitous) ARP, sender and target both the virtual IP (RFC 5227 §3 "ARP Announcement").
            if (runner.Find("arping", "apt-get install iputils-arping", "neighbours learn the new master's MAC only when their ARP cache expires") is { } arping)
            {
                await runner.RunAsync(arping, ["-U", "-c", "1", "-I", device, address.ToString()], _timeout);
            }
        }
        else if (runner.Find("ndsend", "apt-get install vzctl, or any ndsend", "IPv6 virtual IPs are not announced") is { } ndsend)
        {
            await runner.RunAsync(ndsend, [address.ToString(), device], _timeout);
        }
    }

    /// <summary>True when <paramref name="address"/> is among the interface's addresses (getifaddrs; needs no capability).</summary>
    private bool IsOnInterface(IPAddress address) =>
        NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == device) is { } link
        && link.GetIPProperties().UnicastAddresses.Any(u => u.Address.Equals(address));

    /// <summary>Runs <c>ip addr VERB VIP dev DEVICE</c> for each; returns the virtual IPs it succeeded for.</summary>
    private async Task<List<string>> RunIpAsync(string verb, IEnumerable<string> vips)
    {
        var done = new List<string>();
        if (FindIp() is { } ip)
        {
            foreach (var vip in vips)
            {
                if (await runner.RunAsync(ip, ["addr", verb, vip, "dev", device], _timeout))
                {
                    done.Add(vip);
                }
            }
        }

        return done;
    }

    /// <summary>Binds the native calls, compiles the direct paths and looks up the MAC: a first takeover pays for none of it.</summary>
    private void PrepareDirect()
    {
        Marshal.PrelinkAll(typeof(Libc));
        RuntimeHelpers.PrepareMethod(typeof(RtNetlink).GetMethod(nameof(RtNetlink.ChangeAddress))!.MethodHandle);
        RtNetlink.QueryLink(InterfaceIndex()); // a real request and its acknowledgement, changing nothing
        foreach (var (_, address, _) in _parsed.Where(v => v.Address.AddressFamily == AddressFamily.InterNetwork))
        {
            GratuitousArp.Send(Link(), address, dryRun: true);
        }
    }

    /// <summary>The interface's index and MAC, looked up once; looked up again after a failed send.</summary>
    private (int Index, byte[] Mac) Link() => _link ??= GratuitousArp.Resolve(device);

    private int InterfaceIndex() => Libc.InterfaceIndex(device) is > 0 and var index ? index : throw new IOException($"no interface named {device}");

    private static (string Vip, IPAddress Address, int Prefix) ParseVip(string vip)
    {
        var slash = vip.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(slash < 0 ? vip : vip[..slash]);
        var full = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        return (vip, address, slash < 0 ? full : int.Parse(vip[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Runs the netlink/AF_PACKET way; false (logged, the first time only) when it fails and the command must run.</summary>
    private bool TryDirect(Action action, string what)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception e) when (e is IOException or DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException or NetworkInformationException)
        {
            _link = null;
            if (Interlocked.Exchange(ref _directFailed, 1) == 0)
            {
                Log.FailoverCommandFailed(logger, what, $"{e.Message}; running iproute2/arping instead");
            }

            return false;
        }
    }

    private string? FindIp() => runner.Find("ip", "apt-get install iproute2", "the virtual IPs cannot be moved");
}

using System.Net;
using System.Net.Sockets;

namespace Balancer.Failover;

/// <summary>
/// <c>vipAction: "ip"</c>: <c>ip addr add|del &lt;vip&gt; dev &lt;interface&gt;</c>, and gratuitous ARP with
/// <c>arping -U</c> (iputils-arping), as keepalived does for a VRRP instance without a virtual MAC. IPv6 virtual IPs
/// are announced with <c>ndsend</c> when it is installed and otherwise skipped (neighbours learn them on first use).
/// </summary>
internal sealed class IpVipActions(string device, IReadOnlyList<string> virtualIps, CommandRunner runner) : IVipActions
{
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(5);

    public Task AddAsync() => IpAddrAsync("add");

    /// <summary>
    /// Checks at startup that the interface exists (a typo is logged at once, not at the first takeover), and so
    /// pays the first process start's cost before a takeover has to.
    /// </summary>
    public async Task CheckInterfaceAsync()
    {
        if (FindIp() is { } ip)
        {
            await runner.RunAsync(ip, ["-brief", "link", "show", "dev", device], _timeout);
        }
    }

    public Task RemoveAsync() => IpAddrAsync("del");

    public Task AnnounceAsync() => Task.WhenAll(virtualIps.Select(vip => AnnounceAsync(vip.Split('/')[0])));

    private async Task AnnounceAsync(string address)
    {
        if (IPAddress.Parse(address).AddressFamily == AddressFamily.InterNetwork)
        {
            // -U: unsolicited (gratuitous) ARP, sender and target both the virtual IP (RFC 5227 §3 "ARP Announcement").
            if (runner.Find("arping", "apt-get install iputils-arping", "neighbours learn the new master's MAC only when their ARP cache expires") is { } arping)
            {
                await runner.RunAsync(arping, ["-U", "-c", "1", "-I", device, address], _timeout);
            }
        }
        else if (runner.Find("ndsend", "apt-get install vzctl, or any ndsend", "IPv6 virtual IPs are not announced") is { } ndsend)
        {
            await runner.RunAsync(ndsend, [address, device], _timeout);
        }
    }

    private async Task IpAddrAsync(string verb)
    {
        if (FindIp() is not { } ip)
        {
            return;
        }

        foreach (var vip in virtualIps)
        {
            await runner.RunAsync(ip, ["addr", verb, vip, "dev", device], _timeout);
        }
    }

    private string? FindIp() => runner.Find("ip", "apt-get install iproute2", "the virtual IPs cannot be moved");
}

using System.Net.NetworkInformation;
using Balancer.Core.Announce;
using Balancer.Linux;

namespace Balancer.Announce;

/// <summary>
/// Announced addresses over rtnetlink (<c>ip addr replace … valid_lft</c> and <c>ip addr del</c>, without a process
/// start). No iproute2 fallback: it makes the same netlink request, so it fails where this fails (no CAP_NET_ADMIN).
/// </summary>
internal sealed class NetlinkAddressActions : IAddressActions
{
    public string? Renew(string device, AnnouncedAddress address, TimeSpan lifetime) =>
        Run(device, index => RtNetlink.RenewAddress(index, address.Address, address.PrefixLength, lifetime));

    public string? Remove(string device, AnnouncedAddress address) =>
        Run(device, index => RtNetlink.ChangeAddress(add: false, index, address.Address, address.PrefixLength));

    public string? SetLocalRoute(AnnouncedAddress address, bool present) =>
        Run("lo", index => RtNetlink.ChangeLocalRoute(present, index, address.Address, address.PrefixLength));

    private static string? Run(string device, Action<int> change)
    {
        try
        {
            if (Libc.InterfaceIndex(device) is not (> 0 and var index))
            {
                return $"no interface named {device} (for a dummy one: ip link add {device} type dummy; ip link set {device} up)";
            }

            change(index);
            return null;
        }
        catch (Exception e) when (e is IOException or DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException or NetworkInformationException)
        {
            return e.Message;
        }
    }
}

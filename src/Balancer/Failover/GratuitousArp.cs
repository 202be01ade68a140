using System.Net;
using System.Net.NetworkInformation;

namespace Balancer.Failover;

/// <summary>
/// One gratuitous ARP request on an AF_PACKET socket (packet(7)), the frame <c>arping -U</c> sends: sender and target
/// IP both the virtual IP, sender MAC ours, to the broadcast address (RFC 5227 §3 "ARP Announcement"). Sent in
/// microseconds, where starting arping takes milliseconds and then lingers a second.
/// </summary>
internal static class GratuitousArp
{
    private const ushort EthPArp = 0x0806;
    private static readonly byte[] _broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    /// <summary>Sends one announcement of the IPv4 <paramref name="address"/> on <paramref name="device"/>.</summary>
    /// <exception cref="IOException">The interface is unknown, has no MAC, or the send failed (e.g. without CAP_NET_RAW).</exception>
    public static void Send(string device, IPAddress address)
    {
        var index = Libc.InterfaceIndex(device);
        var mac = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == device)?.GetPhysicalAddress().GetAddressBytes();
        if (index == 0 || mac is not { Length: 6 })
        {
            throw new IOException($"interface {device}: not found, or it has no Ethernet address");
        }

        var ip = address.GetAddressBytes();
        byte[] frame =
        [
            0, 1, 8, 0, 6, 4, 0, 1, // Ethernet, IPv4, address lengths 6 and 4, operation 1 (request)
            .. mac, .. ip,          // sender: our MAC, the virtual IP
            .. _broadcast, .. ip,   // target: broadcast, the virtual IP
        ];

        // struct sockaddr_ll: family, protocol (network order), interface index, hatype, pkttype, halen, address[8]
        var link = new byte[20];
        BitConverter.TryWriteBytes(link.AsSpan(0), (ushort)Libc.AfPacket);
        link[2] = EthPArp >> 8;
        link[3] = EthPArp & 0xff;
        BitConverter.TryWriteBytes(link.AsSpan(4), index);
        link[11] = 6;
        _broadcast.CopyTo(link, 12);

        var fd = Libc.OpenSocket(Libc.AfPacket, Libc.SockDgram, IPAddress.HostToNetworkOrder((short)EthPArp), TimeSpan.FromSeconds(1));
        try
        {
            Libc.SendTo(fd, frame, link);
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}

using System.Net;
using System.Net.NetworkInformation;
using Balancer.Linux;

namespace Balancer.Failover;

/// <summary>
/// One gratuitous ARP request on an AF_PACKET socket (packet(7)), the frame <c>arping -U</c> sends: sender and target
/// IP both the virtual IP, sender MAC ours, to the broadcast address (RFC 5227 §3 "ARP Announcement"). Sent in
/// microseconds, where starting arping takes milliseconds and then lingers a second.
/// </summary>
/// <remarks>
/// The socket stays open for the life of the process, as keepalived's does: closing a packet socket waits for an RCU
/// grace period (synchronize_net in packet_release), which measured 10–30 ms here, on the takeover's critical path.
/// It is opened with protocol 0, so it only sends and never queues the segment's ARP traffic.
/// </remarks>
internal static class GratuitousArp
{
    private const ushort EthPArp = 0x0806;
    private static readonly byte[] _broadcast = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    private static readonly Lock _lock = new();
    private static int _fd = -1;

    /// <summary>The index and MAC of <paramref name="device"/>; looking them up takes milliseconds, so callers keep them.</summary>
    /// <exception cref="IOException">The interface is unknown or has no Ethernet address.</exception>
    public static (int Index, byte[] Mac) Resolve(string device)
    {
        var index = Libc.InterfaceIndex(device);
        var mac = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == device)?.GetPhysicalAddress().GetAddressBytes();
        return index > 0 && mac is { Length: 6 } ? (index, mac) : throw new IOException($"interface {device}: not found, or it has no Ethernet address");
    }

    /// <summary>
    /// Sends one announcement of the IPv4 <paramref name="address"/> from the interface <paramref name="link"/>; with
    /// <paramref name="dryRun"/>, does everything but the send (a warm-up at startup, and a check of CAP_NET_RAW).
    /// </summary>
    /// <exception cref="IOException">The send failed (e.g. without CAP_NET_RAW, or the interface is gone).</exception>
    public static void Send((int Index, byte[] Mac) link, IPAddress address, bool dryRun = false)
    {
        var (index, mac) = link;
        var ip = address.GetAddressBytes();
        byte[] frame =
        [
            0, 1, 8, 0, 6, 4, 0, 1, // Ethernet, IPv4, address lengths 6 and 4, operation 1 (request)
            .. mac, .. ip,          // sender: our MAC, the virtual IP
            .. _broadcast, .. ip,   // target: broadcast, the virtual IP
        ];

        // struct sockaddr_ll: family, protocol (network order), interface index, hatype, pkttype, halen, address[8]
        var to = new byte[20];
        BitConverter.TryWriteBytes(to.AsSpan(0), (ushort)Libc.AfPacket);
        to[2] = EthPArp >> 8;
        to[3] = EthPArp & 0xff;
        BitConverter.TryWriteBytes(to.AsSpan(4), index);
        to[11] = 6;
        _broadcast.CopyTo(to, 12);

        lock (_lock)
        {
            if (_fd < 0)
            {
                _fd = Libc.OpenSocket(Libc.AfPacket, Libc.SockDgram, 0, TimeSpan.FromSeconds(1));
            }

            try
            {
                if (!dryRun)
                {
                    Libc.SendTo(_fd, frame, to);
                }
            }
            catch (IOException)
            {
                Libc.Close(_fd); // a fresh socket next time
                _fd = -1;
                throw;
            }
        }
    }
}

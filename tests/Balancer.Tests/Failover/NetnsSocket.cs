using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Balancer.Tests.Failover;

/// <summary>
/// Sockets that live in a test's network namespace although the test process does not: setns(2) moves only the
/// calling thread, so a throwaway thread enters the namespace, makes the socket and ends; the socket stays there.
/// </summary>
internal static class NetnsSocket
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>Moves the calling thread into <paramref name="netns"/> for good: only for a thread of the caller's own.</summary>
    public static void Enter(string netns)
    {
        using var handle = File.OpenHandle($"/var/run/netns/{netns}");
        if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
        {
            throw new IOException($"setns({netns}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Makes a socket with <paramref name="create"/> inside <paramref name="netns"/>.</summary>
    public static Socket Open(string netns, Func<Socket> create)
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter(netns);
                socket = create();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"no socket in {netns}", error);
    }

    /// <summary>A raw IPv4 socket that sends whole packets, IP header included (IPPROTO_RAW): any source address.</summary>
    public static Socket RawSender(string netns) => Open(netns, () => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw));

    /// <summary>A raw IPv4 socket that receives a copy of every UDP packet the namespace takes in, IP header included.</summary>
    public static Socket UdpSniffer(string netns) => Open(netns, () => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp));

    /// <summary>An HTTP client whose connections are made inside <paramref name="netns"/>.</summary>
    public static HttpClient HttpClient(string netns, TimeSpan timeout) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, token) =>
        {
            var socket = Open(netns, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, token);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        PooledConnectionLifetime = TimeSpan.FromSeconds(5),
    })
    { Timeout = timeout };

    /// <summary>An IPv4 packet holding one UDP datagram from <paramref name="source"/> to <paramref name="destination"/> (checksum 0: none).</summary>
    public static byte[] UdpPacket(IPEndPoint source, IPEndPoint destination, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[28 + payload.Length];
        packet[0] = 0x45;                // version 4, 5-word header; length, id and checksum are filled in by the kernel
        packet[6] = 0x40;                // don't fragment
        packet[8] = 64;                  // TTL
        packet[9] = (byte)ProtocolType.Udp;
        source.Address.GetAddressBytes().CopyTo(packet, 12);
        destination.Address.GetAddressBytes().CopyTo(packet, 16);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20), (ushort)source.Port);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), (ushort)destination.Port);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), (ushort)(8 + payload.Length));
        payload.CopyTo(packet.AsSpan(28));
        return packet;
    }

    [DllImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static extern int SetNs(int fd, int nstype);
}

using System.Runtime.InteropServices;

namespace Balancer.Linux;

/// <summary>
/// The few libc calls that move a virtual IP without starting a process: rtnetlink for the address (as iproute2
/// does) and an AF_PACKET socket for gratuitous ARP (as arping does). Linux only; callers fall back to the commands.
/// </summary>
internal static class Libc
{
    public const int AfInet = 2;
    public const int AfInet6 = 10;
    public const int AfNetlink = 16;
    public const int AfPacket = 17;
    public const int SockRaw = 3;
    public const int SockDgram = 2;
    public const int NetlinkRoute = 0;
    private const int SolSocket = 1;
    private const int SoRcvTimeo = 20;

    /// <summary>Opens a socket with a receive timeout, so that a reply that never comes cannot hang the caller.</summary>
    /// <exception cref="IOException">socket(2) or setsockopt(2) failed; the message names the errno.</exception>
    public static int OpenSocket(int domain, int type, int protocol, TimeSpan receiveTimeout)
    {
        var fd = socket(domain, type, protocol);
        if (fd < 0)
        {
            throw Error("socket");
        }

        var timeval = new long[] { (long)receiveTimeout.TotalSeconds, receiveTimeout.Milliseconds * 1000L };
        if (setsockopt(fd, SolSocket, SoRcvTimeo, timeval, 16) != 0)
        {
            var error = Error("setsockopt");
            _ = close(fd);
            throw error;
        }

        return fd;
    }

    /// <summary>Sends one datagram to <paramref name="address"/> (a raw sockaddr).</summary>
    public static void SendTo(int fd, ReadOnlySpan<byte> datagram, byte[] address)
    {
        if (sendto(fd, datagram.ToArray(), datagram.Length, 0, address, address.Length) < 0)
        {
            throw Error("sendto");
        }
    }

    /// <summary>Receives one datagram into <paramref name="buffer"/>; its length.</summary>
    public static int Receive(int fd, byte[] buffer)
    {
        var n = recv(fd, buffer, buffer.Length, 0);
        return n >= 0 ? (int)n : throw Error("recv");
    }

    public static void Close(int fd) => _ = close(fd);

    /// <summary>The index of the interface named <paramref name="device"/>, or 0 when there is none.</summary>
    public static int InterfaceIndex(string device) => (int)if_nametoindex(device);

    /// <summary>An errno as its message, e.g. "sendto: Operation not permitted (1)".</summary>
    public static IOException Error(string call, int? errno = null)
    {
        var code = errno ?? Marshal.GetLastPInvokeError();
        return new IOException($"{call}: {Marshal.GetPInvokeErrorMessage(code)} ({code})");
    }

#pragma warning disable SA1300, IDE1006 // libc's own names
    [DllImport("libc", SetLastError = true)]
    private static extern int socket(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int fd, int level, int name, long[] value, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern nint sendto(int fd, byte[] buffer, nint length, int flags, byte[] address, int addressLength);

    [DllImport("libc", SetLastError = true)]
    private static extern nint recv(int fd, byte[] buffer, nint length, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern uint if_nametoindex([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
#pragma warning restore SA1300, IDE1006
}

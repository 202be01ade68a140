using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Balancer.Linux;

/// <summary>
/// Adds or removes one address with a single rtnetlink request (RTM_NEWADDR / RTM_DELADDR, rtnetlink(7)), what
/// <c>ip addr add|del</c> sends, without the ~10 ms of starting iproute2 on the takeover's critical path.
/// </summary>
internal static class RtNetlink
{
    private const ushort RtmNewAddr = 20;
    private const ushort RtmDelAddr = 21;
    private const ushort RtmGetLink = 18;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFAck = 0x4;
    private const ushort NlmFExcl = 0x200;
    private const ushort NlmFCreate = 0x400;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const int Eexist = 17;
    private const int Eaddrnotavail = 99;
    private static readonly TimeSpan _replyTimeout = TimeSpan.FromSeconds(1);
    private static int _sequence;

    /// <summary>
    /// Adds (<paramref name="add"/>) or removes <paramref name="address"/>/<paramref name="prefix"/> on interface
    /// <paramref name="index"/>. An address already present (add) or already gone (remove) counts as done; returns
    /// false then, true when the kernel changed something.
    /// </summary>
    /// <exception cref="IOException">The kernel refused, or netlink is unavailable; the message names the errno.</exception>
    public static bool ChangeAddress(bool add, int index, IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        var attribute = 4 + bytes.Length; // rtattr header + address, already 4-byte aligned
        var body = new byte[8 + (2 * attribute)];

        // struct ifaddrmsg: family, prefix length, flags, scope (universe), interface index
        body[0] = (byte)(address.AddressFamily == AddressFamily.InterNetwork ? Libc.AfInet : Libc.AfInet6);
        body[1] = (byte)prefix;
        MemoryMarshal.Write(body.AsSpan(4), index);

        // IFA_LOCAL and IFA_ADDRESS, both the address itself, as `ip addr add` sends them for a non-peer address
        var at = 8;
        foreach (var type in new[] { IfaLocal, IfaAddress })
        {
            MemoryMarshal.Write(body.AsSpan(at), (ushort)attribute);
            MemoryMarshal.Write(body.AsSpan(at + 2), type);
            bytes.CopyTo(body.AsSpan(at + 4));
            at += attribute;
        }

        var errno = Request(add ? RtmNewAddr : RtmDelAddr, add ? NlmFCreate | NlmFExcl : 0, body);
        if (errno != 0 && !(add && errno == Eexist) && !(!add && errno == Eaddrnotavail))
        {
            throw Libc.Error(add ? "RTM_NEWADDR" : "RTM_DELADDR", errno);
        }

        return errno == 0;
    }

    /// <summary>Asks for interface <paramref name="index"/> (RTM_GETLINK), changing nothing: the startup warm-up of the path.</summary>
    /// <exception cref="IOException">The interface is unknown, or netlink is unavailable.</exception>
    public static void QueryLink(int index)
    {
        var body = new byte[16]; // struct ifinfomsg: family, pad, type, index, flags, change
        MemoryMarshal.Write(body.AsSpan(4), index);
        if (Request(RtmGetLink, 0, body) is var errno and not 0)
        {
            throw Libc.Error("RTM_GETLINK", errno);
        }
    }

    /// <summary>Sends one request with <c>NLM_F_ACK</c> and returns the errno of its acknowledgement (0 = done).</summary>
    private static int Request(ushort type, int flags, byte[] body)
    {
        var message = new byte[16 + body.Length];
        var sequence = Interlocked.Increment(ref _sequence);

        // struct nlmsghdr, in host byte order
        MemoryMarshal.Write(message.AsSpan(0), message.Length);
        MemoryMarshal.Write(message.AsSpan(4), type);
        MemoryMarshal.Write(message.AsSpan(6), (ushort)(NlmFRequest | NlmFAck | flags));
        MemoryMarshal.Write(message.AsSpan(8), sequence);
        body.CopyTo(message, 16);

        var fd = Libc.OpenSocket(Libc.AfNetlink, Libc.SockRaw, Libc.NetlinkRoute, _replyTimeout);
        try
        {
            Libc.SendTo(fd, message, new byte[12] { Libc.AfNetlink, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }); // sockaddr_nl: the kernel
            var reply = new byte[8192];
            for (var i = 0; i < 8; i++)
            {
                var length = Libc.Receive(fd, reply);
                if (length >= 20 && MemoryMarshal.Read<ushort>(reply.AsSpan(4)) == NlmsgError && MemoryMarshal.Read<int>(reply.AsSpan(8)) == sequence)
                {
                    return -MemoryMarshal.Read<int>(reply.AsSpan(16));
                }

                // Another message first (a GET's answer): the acknowledgement follows.
            }

            throw new IOException("rtnetlink: no acknowledgement");
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}

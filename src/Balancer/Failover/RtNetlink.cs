using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Balancer.Failover;

/// <summary>
/// Adds or removes one address with a single rtnetlink request (RTM_NEWADDR / RTM_DELADDR, rtnetlink(7)), what
/// <c>ip addr add|del</c> sends, without the ~10 ms of starting iproute2 on the takeover's critical path.
/// </summary>
internal static class RtNetlink
{
    private const ushort RtmNewAddr = 20;
    private const ushort RtmDelAddr = 21;
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
    /// <paramref name="index"/>. An address already present (add) or already gone (remove) counts as done.
    /// </summary>
    /// <exception cref="IOException">The kernel refused, or netlink is unavailable; the message names the errno.</exception>
    public static void ChangeAddress(bool add, int index, IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        var attribute = 4 + bytes.Length; // rtattr header + address, already 4-byte aligned
        var message = new byte[16 + 8 + (2 * attribute)];
        var span = message.AsSpan();
        var sequence = Interlocked.Increment(ref _sequence);

        // struct nlmsghdr (host byte order)
        MemoryMarshal.Write(span, message.Length);
        MemoryMarshal.Write(span[4..], add ? RtmNewAddr : RtmDelAddr);
        MemoryMarshal.Write(span[6..], (ushort)(NlmFRequest | NlmFAck | (add ? NlmFCreate | NlmFExcl : 0)));
        MemoryMarshal.Write(span[8..], sequence);

        // struct ifaddrmsg: family, prefix length, flags, scope (universe), interface index
        span[16] = (byte)(address.AddressFamily == AddressFamily.InterNetwork ? Libc.AfInet : Libc.AfInet6);
        span[17] = (byte)prefix;
        MemoryMarshal.Write(span[20..], index);

        // IFA_LOCAL and IFA_ADDRESS, both the address itself, as `ip addr add` sends them for a non-peer address
        var at = 24;
        foreach (var type in new[] { IfaLocal, IfaAddress })
        {
            MemoryMarshal.Write(span[at..], (ushort)attribute);
            MemoryMarshal.Write(span[(at + 2)..], type);
            bytes.CopyTo(span[(at + 4)..]);
            at += attribute;
        }

        var fd = Libc.OpenSocket(Libc.AfNetlink, Libc.SockRaw, Libc.NetlinkRoute, _replyTimeout);
        try
        {
            Libc.SendTo(fd, message, new byte[12] { Libc.AfNetlink, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }); // sockaddr_nl: the kernel
            var reply = new byte[4096];
            for (var i = 0; i < 8; i++)
            {
                var length = Libc.Receive(fd, reply);
                if (length < 20 || MemoryMarshal.Read<ushort>(reply.AsSpan(4)) != NlmsgError || MemoryMarshal.Read<int>(reply.AsSpan(8)) != sequence)
                {
                    continue; // not our acknowledgement
                }

                var errno = -MemoryMarshal.Read<int>(reply.AsSpan(16));
                if (errno == 0 || (add && errno == Eexist) || (!add && errno == Eaddrnotavail))
                {
                    return;
                }

                throw Libc.Error(add ? "RTM_NEWADDR" : "RTM_DELADDR", errno);
            }

            throw new IOException("rtnetlink: no acknowledgement");
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}

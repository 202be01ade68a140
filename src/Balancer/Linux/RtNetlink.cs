using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Balancer.Linux;

/// <summary>
/// Adds, renews or removes one address (RTM_NEWADDR / RTM_DELADDR, rtnetlink(7)), or a local route (RTM_NEWROUTE /
/// RTM_DELROUTE), with a single rtnetlink request: what <c>ip addr add|replace|del</c> and <c>ip route append|del</c>
/// send, without the ~10 ms of starting iproute2 on the takeover's critical path.
/// </summary>
internal static class RtNetlink
{
    private const ushort RtmNewAddr = 20;
    private const ushort RtmDelAddr = 21;
    private const ushort RtmGetLink = 18;
    private const ushort RtmNewLink = 16;
    private const uint IffUp = 0x1;
    private const uint IffRunning = 0x40;
    private const ushort RtmNewRoute = 24;
    private const ushort RtmDelRoute = 25;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFAck = 0x4;
    private const ushort NlmFReplace = 0x100;
    private const ushort NlmFExcl = 0x200;
    private const ushort NlmFCreate = 0x400;
    private const ushort NlmFAppend = 0x800;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const ushort IfaCacheinfo = 6;
    private const byte IfaFNodad = 0x02;
    private const uint InfinityLifeTime = uint.MaxValue;
    private const ushort RtaDst = 1;
    private const ushort RtaOif = 4;
    private const byte RtTableLocal = 255;
    private const byte RtprotStatic = 4;
    private const byte RtScopeHost = 254;
    private const byte RtnLocal = 2;
    private const int Eexist = 17;
    private const int Esrch = 3;
    private const int Eaddrnotavail = 99;
    private static readonly TimeSpan _replyTimeout = TimeSpan.FromSeconds(1);
    private static int _sequence;

    /// <summary>
    /// Adds (<paramref name="add"/>) or removes <paramref name="address"/>/<paramref name="prefix"/> on interface
    /// <paramref name="index"/>. An address already present (add) or already gone (remove) counts as done; returns
    /// false then, true when the kernel changed something.
    /// </summary>
    /// <exception cref="IOException">The kernel refused, or netlink is unavailable; the message names the errno.</exception>
    public static bool ChangeAddress(bool add, int index, IPAddress address, int prefix) => Send(add, index, address, prefix, lifetime: null);

    /// <summary>
    /// Adds <paramref name="address"/>/<paramref name="prefix"/> on interface <paramref name="index"/>, or renews it,
    /// with a kernel lifetime (<c>ip addr replace … valid_lft N preferred_lft N</c>): the kernel deletes it by itself
    /// unless it is renewed within <paramref name="lifetime"/>, whole seconds; zero means for ever. IPv6 addresses skip
    /// duplicate address detection (<c>nodad</c>), so they serve at once.
    /// </summary>
    /// <exception cref="IOException">The kernel refused, or netlink is unavailable; the message names the errno.</exception>
    public static void RenewAddress(int index, IPAddress address, int prefix, TimeSpan lifetime) => _ = Send(true, index, address, prefix, lifetime);

    /// <summary>
    /// Adds (<paramref name="add"/>) or removes a route of type <c>local</c> for <paramref name="address"/>/<paramref name="prefix"/>
    /// through interface <paramref name="index"/> in the local table, <c>proto static</c>: <c>ip route append local … table
    /// local</c> ("AnyIP"). The kernel then takes in packets for the address, and lets sockets answer from it, without
    /// the address on any interface, so the address can go (and a routing daemon stop announcing it) while connections
    /// on their way still arrive. Appended beside the route an address of the same value makes, which it outlives.
    /// Already there (add) or already gone (remove) counts as done.
    /// </summary>
    /// <exception cref="IOException">The kernel refused, or netlink is unavailable; the message names the errno.</exception>
    public static void ChangeLocalRoute(bool add, int index, IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        var body = new byte[12 + 4 + bytes.Length + 8];

        // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags
        body[0] = (byte)(address.AddressFamily == AddressFamily.InterNetworkV6 ? Libc.AfInet6 : Libc.AfInet);
        body[1] = (byte)prefix;
        (body[4], body[5], body[6], body[7]) = (RtTableLocal, RtprotStatic, RtScopeHost, RtnLocal);
        var at = Attribute(body, 12, RtaDst, bytes);
        Attribute(body, at, RtaOif, BitConverter.GetBytes(index));

        var errno = Request(add ? RtmNewRoute : RtmDelRoute, add ? NlmFCreate | NlmFAppend : 0, body);
        if (errno != 0 && !(add && errno == Eexist) && !(!add && errno == Esrch))
        {
            throw Libc.Error(add ? "RTM_NEWROUTE" : "RTM_DELROUTE", errno);
        }
    }

    /// <summary>Asks for interface <paramref name="index"/> (RTM_GETLINK), changing nothing: the startup warm-up of the path.</summary>
    /// <exception cref="IOException">The interface is unknown, or netlink is unavailable.</exception>
    public static void QueryLink(int index) => _ = LinkFlags(index);

    /// <summary>
    /// Whether interface <paramref name="index"/> is up and running (<c>IFF_UP</c> and <c>IFF_RUNNING</c>: up
    /// administratively and operationally, as keepalived checks its VRRP interface): false after <c>ip link set … down</c>
    /// or without carrier.
    /// </summary>
    /// <exception cref="IOException">The interface is unknown, or netlink is unavailable.</exception>
    public static bool IsLinkRunning(int index) => (LinkFlags(index) & (IffUp | IffRunning)) == (IffUp | IffRunning);

    /// <summary>The <c>ifi_flags</c> of interface <paramref name="index"/>, from the kernel's RTM_NEWLINK answer to an RTM_GETLINK.</summary>
    private static uint LinkFlags(int index)
    {
        var body = new byte[16]; // struct ifinfomsg: family, pad, type, index, flags, change
        MemoryMarshal.Write(body.AsSpan(4), index);
        uint flags = 0;
        if (Request(RtmGetLink, 0, body, (type, message) =>
            {
                if (type == RtmNewLink && message.Length >= 16 + 16)
                {
                    flags = MemoryMarshal.Read<uint>(message[(16 + 8)..]);
                }
            }) is var errno and not 0)
        {
            throw Libc.Error("RTM_GETLINK", errno);
        }

        return flags;
    }

    private static bool Send(bool add, int index, IPAddress address, int prefix, TimeSpan? lifetime)
    {
        var bytes = address.GetAddressBytes();
        var attribute = 4 + bytes.Length; // rtattr header + address, already 4-byte aligned
        var cacheinfo = lifetime is null ? 0 : 4 + 16;
        var body = new byte[8 + (2 * attribute) + cacheinfo];

        // struct ifaddrmsg: family, prefix length, flags, scope (universe), interface index
        var ipv6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        body[0] = (byte)(ipv6 ? Libc.AfInet6 : Libc.AfInet);
        body[1] = (byte)prefix;
        body[2] = lifetime is not null && ipv6 ? IfaFNodad : (byte)0;
        MemoryMarshal.Write(body.AsSpan(4), index);

        // IFA_LOCAL and IFA_ADDRESS, both the address itself, as `ip addr add` sends them for a non-peer address
        var at = Attribute(body, Attribute(body, 8, IfaLocal, bytes), IfaAddress, bytes);
        if (lifetime is { } span)
        {
            // struct ifa_cacheinfo: preferred and valid lifetimes in seconds (the kernel fills in the two stamps)
            var seconds = span == TimeSpan.Zero ? InfinityLifeTime : (uint)Math.Ceiling(span.TotalSeconds);
            var cacheinfoValue = new byte[16];
            MemoryMarshal.Write(cacheinfoValue, seconds);
            MemoryMarshal.Write(cacheinfoValue.AsSpan(4), seconds);
            Attribute(body, at, IfaCacheinfo, cacheinfoValue);
        }

        // A renewal replaces: NLM_F_REPLACE updates the lifetimes of an address that is there and creates one that is not.
        var flags = !add ? 0 : lifetime is null ? NlmFCreate | NlmFExcl : NlmFCreate | NlmFReplace;
        var errno = Request(add ? RtmNewAddr : RtmDelAddr, flags, body);
        if (errno != 0 && !(add && errno == Eexist) && !(!add && errno == Eaddrnotavail))
        {
            throw Libc.Error(add ? "RTM_NEWADDR" : "RTM_DELADDR", errno);
        }

        return errno == 0;
    }

    /// <summary>Writes one struct rtattr (length, type, value; values here are 4-byte multiples) at <paramref name="at"/>; returns the offset after it.</summary>
    private static int Attribute(byte[] body, int at, ushort type, ReadOnlySpan<byte> value)
    {
        MemoryMarshal.Write(body.AsSpan(at), (ushort)(4 + value.Length));
        MemoryMarshal.Write(body.AsSpan(at + 2), type);
        value.CopyTo(body.AsSpan(at + 4));
        return at + 4 + value.Length;
    }

    /// <summary>
    /// Sends one request with <c>NLM_F_ACK</c> and returns the errno of its acknowledgement (0 = done); an answer that
    /// comes before it (a GET's) goes to <paramref name="onAnswer"/> with its type.
    /// </summary>
    private static int Request(ushort type, int flags, byte[] body, AnswerHandler? onAnswer = null)
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
                if (length >= 16 && MemoryMarshal.Read<int>(reply.AsSpan(8)) == sequence)
                {
                    onAnswer?.Invoke(MemoryMarshal.Read<ushort>(reply.AsSpan(4)), reply.AsSpan(0, Math.Min(length, MemoryMarshal.Read<int>(reply))));
                }
            }

            throw new IOException("rtnetlink: no acknowledgement");
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private delegate void AnswerHandler(ushort type, ReadOnlySpan<byte> message);
}

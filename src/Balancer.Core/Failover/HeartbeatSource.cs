using System.Net;
using System.Net.Sockets;

namespace Balancer.Core.Failover;

/// <summary>
/// Which of this node's bind addresses an advert to a peer address leaves from, when <c>failover.bind</c> lists several
/// (one per heartbeat path, #23): the one sharing the longest address prefix with the peer's, which for paths on
/// separate subnets is the address on the peer's subnet — the address the kernel would route from, made explicit so
/// that each path's adverts leave by that path's own interface.
/// </summary>
public static class HeartbeatSource
{
    /// <summary>
    /// The index in <paramref name="binds"/> of the address to send to <paramref name="peer"/> from: the longest
    /// common prefix among those of the peer's family (a dual-stack <c>[::]</c> counts for both), the first on a tie;
    /// 0 when none is of its family.
    /// </summary>
    public static int Pick(IReadOnlyList<IPAddress> binds, IPAddress peer)
    {
        peer = Normalize(peer);
        var (best, bestLength) = (0, -2);
        for (var i = 0; i < binds.Count; i++)
        {
            var length = CommonPrefix(Normalize(binds[i]), peer);
            if (length > bestLength)
            {
                (best, bestLength) = (i, length);
            }
        }

        return best;
    }

    /// <summary>Bits in common from the start; -1 for a wildcard that serves the family; below that, another family.</summary>
    private static int CommonPrefix(IPAddress bind, IPAddress peer)
    {
        if (bind.Equals(IPAddress.IPv6Any) || (bind.Equals(IPAddress.Any) && peer.AddressFamily == AddressFamily.InterNetwork))
        {
            return -1;
        }

        if (bind.AddressFamily != peer.AddressFamily)
        {
            return -3;
        }

        var (a, b) = (bind.GetAddressBytes(), peer.GetAddressBytes());
        var bits = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var differ = a[i] ^ b[i];
            if (differ != 0)
            {
                return bits + (System.Numerics.BitOperations.LeadingZeroCount((uint)differ) - 24);
            }

            bits += 8;
        }

        return bits;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

using System.Net;

namespace Balancer.Core.Failover;

/// <summary>
/// Admits authentic adverts only from configured peers, and each (epoch, sequence) only once and in order.
/// </summary>
/// <remarks>
/// The rule: an advert from node id N is accepted only when its (epoch, sequence) pair is strictly greater,
/// compared epoch first, than the last pair accepted from N. A sender sets epoch to its start time in Unix
/// milliseconds and counts sequence from 1, so a restarted peer (larger epoch, any sequence) is accepted while
/// a recorded advert, whose pair is now old, is not. The first advert from N after this node starts is accepted
/// whatever its pair: at worst one recorded advert is replayed, until the real peer's next advert supersedes it.
/// RFC 5798 has no replay protection (§9.1 leaves authentication out); this is what the HMAC alone cannot give.
/// </remarks>
internal sealed class PeerReplayGuard
{
    private readonly string _ownNodeId;
    private readonly HashSet<IPAddress> _peerAddresses;
    private readonly HashSet<string> _peerNodeIds;
    private readonly Dictionary<string, (ulong Epoch, ulong Sequence)> _lastAccepted = new(StringComparer.Ordinal);

    public PeerReplayGuard(string ownNodeId, IEnumerable<IPAddress> peerAddresses, IEnumerable<string> peerNodeIds)
    {
        _ownNodeId = ownNodeId;
        _peerAddresses = [.. peerAddresses.Select(Normalize)];
        _peerNodeIds = new HashSet<string>(peerNodeIds, StringComparer.Ordinal);
    }

    /// <summary>Checks an authentic advert from <paramref name="source"/> and, when accepted, remembers its pair.</summary>
    public PeerCheck Admit(in AdvertPacket packet, IPEndPoint source)
    {
        // The port is not compared: the HMAC authenticates, the address list only narrows who may try.
        if (!_peerAddresses.Contains(Normalize(source.Address))
            || (_peerNodeIds.Count > 0 && !_peerNodeIds.Contains(packet.NodeId)))
        {
            return PeerCheck.UnknownPeer;
        }

        if (string.Equals(packet.NodeId, _ownNodeId, StringComparison.Ordinal))
        {
            return PeerCheck.OwnNodeId;
        }

        if (_lastAccepted.TryGetValue(packet.NodeId, out var last)
            && (packet.Epoch < last.Epoch || (packet.Epoch == last.Epoch && packet.Sequence <= last.Sequence)))
        {
            return PeerCheck.Replayed;
        }

        _lastAccepted[packet.NodeId] = (packet.Epoch, packet.Sequence);
        return PeerCheck.Accepted;
    }

    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

using System.Net;

namespace Balancer.Core.Failover;

/// <summary>
/// Admits authentic adverts only from configured peers, each (epoch, sequence) only once and in order, and only when
/// it is shown fresh: sent after this node started (it echoes our epoch), or recently (its send time is near ours).
/// </summary>
/// <remarks>
/// <para>Order: an advert from node id N is taken only when its (epoch, sequence) pair is strictly greater, epoch first,
/// than the last pair taken from N. A sender sets epoch to its start time and counts sequence from 1, so a restarted
/// peer (larger epoch) is taken while a recorded advert, whose pair is old, is not.</para>
/// <para>Freshness, for the first contact after this node starts, which order alone cannot judge: a recording of the
/// peer's adverts, replayed from its address after it died, would otherwise keep this node a backup for as long as the
/// recording lasts. The advert must either belong to a session (an epoch of N) that has echoed our own epoch — which
/// no advert recorded before we started can do — or carry a send time within <c>maxClockSkew</c> of our clock. Either
/// suffices, so neither a clock gone wrong (the echo still works) nor a one-way link (the time still works) alone
/// stops a pair; the time path never proves a session, so a replay is taken only while it is younger than the skew.
/// An advert that is authentic and in order teaches the peer's epoch even when it is not fresh, so that our adverts
/// can echo it and the peer's next ones prove themselves.</para>
/// <para>RFC 5798 has no replay protection (§9.1 leaves authentication out); this is what the HMAC alone cannot give.</para>
/// </remarks>
internal sealed class PeerReplayGuard
{
    private readonly string _ownNodeId;
    private readonly ulong _ownEpoch;
    private readonly TimeSpan _maxClockSkew;
    private readonly HashSet<IPAddress> _peerAddresses;
    private readonly HashSet<string> _peerNodeIds;
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    public PeerReplayGuard(string ownNodeId, IEnumerable<IPAddress> peerAddresses, IEnumerable<string> peerNodeIds, ulong ownEpoch = 0, TimeSpan? maxClockSkew = null)
    {
        _ownNodeId = ownNodeId;
        _ownEpoch = ownEpoch;
        _maxClockSkew = maxClockSkew ?? FailoverOptions.DefaultMaxClockSkew;
        _peerAddresses = [.. peerAddresses.Select(Normalize)];
        _peerNodeIds = new HashSet<string>(peerNodeIds, StringComparer.Ordinal);
    }

    /// <summary>The peer's epoch as last learned, for our adverts to echo; 0 before any.</summary>
    public ulong EchoEpoch { get; private set; }

    /// <summary>True when <paramref name="address"/> is a configured peer's; no other source can send an advert we take.</summary>
    public bool IsPeerAddress(IPAddress address) => _peerAddresses.Contains(Normalize(address));

    /// <summary>
    /// Checks an authentic advert from <paramref name="source"/>, received at <paramref name="now"/> (our wall clock);
    /// remembers its pair when it is in order, and whether its session is proven fresh. <paramref name="newSession"/>
    /// says the advert taught a new epoch of the peer: answering at once completes the handshake.
    /// </summary>
    public PeerCheck Admit(in AdvertPacket packet, IPEndPoint source, DateTimeOffset now, out bool newSession)
    {
        newSession = false;

        // The port is not compared: the HMAC authenticates, the address list only narrows who may try.
        if (!IsPeerAddress(source.Address) || (_peerNodeIds.Count > 0 && !_peerNodeIds.Contains(packet.NodeId)))
        {
            return PeerCheck.UnknownPeer;
        }

        if (string.Equals(packet.NodeId, _ownNodeId, StringComparison.Ordinal))
        {
            return PeerCheck.OwnNodeId;
        }

        var known = _sessions.TryGetValue(packet.NodeId, out var last);
        var from = Normalize(source.Address);
        if (known && packet.Epoch == last.Epoch && packet.Sequence == last.Sequence && !from.Equals(last.Source))
        {
            // The peer sends each advert on every heartbeat path (failover.peers objects, #23): the copy that comes
            // second, from another of its addresses, says that path works; it is no replay and drives nothing.
            return PeerCheck.OtherPath;
        }

        if (known && (packet.Epoch < last.Epoch || (packet.Epoch == last.Epoch && packet.Sequence <= last.Sequence)))
        {
            return PeerCheck.Replayed;
        }

        newSession = !known || packet.Epoch != last.Epoch;
        var proven = (!newSession && last.Proven) || (_ownEpoch != 0 && packet.Echo == _ownEpoch);
        _sessions[packet.NodeId] = new Session(packet.Epoch, packet.Sequence, proven, from);
        EchoEpoch = packet.Epoch;
        return proven || SentRecently(packet.SentAt, now) ? PeerCheck.Accepted : PeerCheck.Unproven;
    }

    private bool SentRecently(long sentAtUnixMs, DateTimeOffset now) =>
        _maxClockSkew > TimeSpan.Zero && Math.Abs(now.ToUnixTimeMilliseconds() - sentAtUnixMs) <= _maxClockSkew.TotalMilliseconds;

    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private readonly record struct Session(ulong Epoch, ulong Sequence, bool Proven, IPAddress Source);
}

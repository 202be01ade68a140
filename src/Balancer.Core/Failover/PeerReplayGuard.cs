using System.Net;

namespace Balancer.Core.Failover;

/// <summary>
/// Admits authentic adverts only from configured peers, each (epoch, sequence) only once and in order, and only when
/// it is shown fresh: sent after this node started (it echoes our epoch), or recently (its send time is near ours).
/// </summary>
/// <remarks>
/// <para>Order: an advert from node id N for group G is taken only when its (epoch, sequence) pair is strictly greater,
/// epoch first, than the last pair taken from N for G. A sender sets epoch to its start time and counts sequence from 1
/// across all its groups, so a restarted peer (larger epoch) is taken while a recorded advert, whose pair is old, is not.
/// The order is kept per group (#23) because the peer sends each group's advert on every heartbeat path: the copy of
/// group a's advert by the second path may come after group b's next advert by the first, and is no replay.</para>
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
    private readonly HashSet<string>? _groups;
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary><paramref name="groups"/>: the group names this node runs; an advert for another is refused (null: any).</summary>
    public PeerReplayGuard(
        string ownNodeId, IEnumerable<IPAddress> peerAddresses, IEnumerable<string> peerNodeIds, ulong ownEpoch = 0, TimeSpan? maxClockSkew = null,
        IEnumerable<string>? groups = null)
    {
        _groups = groups is null ? null : new HashSet<string>(groups, StringComparer.Ordinal);
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

        if (_groups is not null && !_groups.Contains(packet.Group))
        {
            return PeerCheck.UnknownGroup; // bounded: only our own group names are ever remembered
        }

        var session = _sessions.GetValueOrDefault(packet.NodeId);
        var last = session is not null && session.Epoch == packet.Epoch && session.Groups.TryGetValue(packet.Group, out var pair) ? pair : default;
        var from = Normalize(source.Address);
        if (last.Source is not null && packet.Sequence == last.Sequence && !from.Equals(last.Source))
        {
            // The peer sends each advert on every heartbeat path (failover.peers objects, #23): the copy that comes
            // second, from another of its addresses, says that path works; it is no replay and drives nothing.
            return PeerCheck.OtherPath;
        }

        if (session is not null && (packet.Epoch < session.Epoch || (last.Source is not null && packet.Sequence <= last.Sequence)))
        {
            return PeerCheck.Replayed;
        }

        newSession = session is null || packet.Epoch != session.Epoch;
        // Our epoch grows with each session of ours (AdvertWriter.NewSession): an echo of any of them proves the advert
        // was sent after this process started; one recorded before echoes an older process's epoch, which is smaller.
        var proven = (session is not null && !newSession && session.Proven) || (_ownEpoch != 0 && packet.Echo >= _ownEpoch);
        if (session is null || newSession)
        {
            session = new Session(packet.Epoch, new Dictionary<string, (ulong, IPAddress?)>(StringComparer.Ordinal));
        }

        session.Proven = proven;
        session.Groups[packet.Group] = (packet.Sequence, from);
        _sessions[packet.NodeId] = session;
        EchoEpoch = packet.Epoch;
        return proven || SentRecently(packet.SentAt, now) ? PeerCheck.Accepted : PeerCheck.Unproven;
    }

    private bool SentRecently(long sentAtUnixMs, DateTimeOffset now) =>
        _maxClockSkew > TimeSpan.Zero && Math.Abs(now.ToUnixTimeMilliseconds() - sentAtUnixMs) <= _maxClockSkew.TotalMilliseconds;

    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>One boot of a peer: its epoch, whether it proved itself fresh, and the last (sequence, source) per group.</summary>
    private sealed class Session(ulong epoch, Dictionary<string, (ulong Sequence, IPAddress? Source)> groups)
    {
        public ulong Epoch { get; } = epoch;

        public bool Proven { get; set; }

        public Dictionary<string, (ulong Sequence, IPAddress? Source)> Groups { get; } = groups;
    }
}

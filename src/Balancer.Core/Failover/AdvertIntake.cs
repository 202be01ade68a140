using System.Net;

namespace Balancer.Core.Failover;

/// <summary>
/// The gate every received datagram passes, cheapest test first so that a flood costs little: the source address,
/// the framing and key id (no MAC computed for a datagram that fails them), the MAC, then <see cref="PeerReplayGuard"/>'s
/// order and freshness. Each refusal is counted by its reason for <c>/status</c>, the metrics and the rate-limited log.
/// </summary>
internal sealed class AdvertIntake(PeerReplayGuard guard)
{
    private readonly long[] _decodeRejects = new long[Enum.GetValues<DecodeError>().Length];
    private readonly long[] _peerRejects = new long[Enum.GetValues<PeerCheck>().Length];
    private readonly IPEndPoint?[] _decodeSources = new IPEndPoint?[Enum.GetValues<DecodeError>().Length];
    private readonly IPEndPoint?[] _peerSources = new IPEndPoint?[Enum.GetValues<PeerCheck>().Length];
    private long _total;

    /// <summary>Every datagram rejected so far, whatever the reason: the loop compares it to know when to look closer.</summary>
    public long RejectedTotal => Volatile.Read(ref _total);

    /// <summary>Adverts that passed every check.</summary>
    public long Accepted { get; private set; }

    /// <summary>The protocol version byte of the last datagram rejected as <see cref="DecodeError.BadVersion"/>, or 0.</summary>
    public byte LastForeignVersion { get; private set; }

    /// <summary>
    /// Checks the source and decodes; touches no state, so it may run outside the machine's lock. The source is looked
    /// at first: a datagram from an address that is no peer's costs no MAC.
    /// </summary>
    public Decoded Decode(ReadOnlySpan<byte> datagram, IPEndPoint source, FailoverKeyRing ring)
    {
        if (!guard.IsPeerAddress(source.Address))
        {
            return new Decoded(FromPeer: false, DecodeError.None, default, 0);
        }

        AdvertCodec.TryDecode(datagram, ring, out var packet, out var keySlot, out var error);
        if (error == DecodeError.BadVersion && datagram.Length > AdvertCodec.VersionOffset)
        {
            LastForeignVersion = datagram[AdvertCodec.VersionOffset];
        }

        return new Decoded(FromPeer: true, error, packet, keySlot);
    }

    /// <summary>
    /// True when a datagram decoded by <see cref="Decode"/> may drive the machine; otherwise counts why not.
    /// <paramref name="newSession"/>: it taught a new epoch of the peer. <paramref name="pathHeard"/>: it is an advert
    /// taken, or a copy of one by another heartbeat path — its source's path works.
    /// </summary>
    public bool Admit(in Decoded decoded, IPEndPoint source, DateTimeOffset now, out bool newSession, out bool pathHeard)
    {
        newSession = false;
        pathHeard = false;
        if (decoded.Error != DecodeError.None)
        {
            Count(ref _decodeRejects[(int)decoded.Error]);
            _decodeSources[(int)decoded.Error] = source;
            return false;
        }

        var check = decoded.FromPeer ? guard.Admit(decoded.Packet, source, now, out newSession) : PeerCheck.UnknownPeer;
        pathHeard = check is PeerCheck.OtherPath or PeerCheck.Accepted;
        if (check == PeerCheck.OtherPath)
        {
            return false; // the second copy of an advert taken already, by another heartbeat path: fine, and done
        }

        if (check != PeerCheck.Accepted)
        {
            Count(ref _peerRejects[(int)check]);
            _peerSources[(int)check] = source;
            return false;
        }

        Accepted++;
        return true;
    }

    /// <summary>Rejected datagrams by reason (<see cref="DecodeError"/> or <see cref="PeerCheck"/> name), only non-zero counts.</summary>
    public Dictionary<string, long> Rejected() => ByReason(r => r.Count);

    /// <summary>The source of the last datagram rejected for each reason that has any.</summary>
    public Dictionary<string, string> LastSources() => ByReason(r => r.Source?.ToString() ?? "");

    private Dictionary<string, T> ByReason<T>(Func<(long Count, IPEndPoint? Source), T> value)
    {
        var byReason = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var reason in Enum.GetValues<DecodeError>().Where(r => _decodeRejects[(int)r] > 0))
        {
            byReason[reason.ToString()] = value((_decodeRejects[(int)reason], _decodeSources[(int)reason]));
        }

        foreach (var reason in Enum.GetValues<PeerCheck>().Where(r => _peerRejects[(int)r] > 0))
        {
            byReason[reason.ToString()] = value((_peerRejects[(int)reason], _peerSources[(int)reason]));
        }

        return byReason;
    }

    private void Count(ref long reason)
    {
        reason++;
        Interlocked.Increment(ref _total);
    }

    /// <summary>What <see cref="Decode"/> made of a datagram: whether it came from a peer address, why it failed, or the advert and its key's line.</summary>
    public readonly record struct Decoded(bool FromPeer, DecodeError Error, AdvertPacket Packet, int KeySlot);
}

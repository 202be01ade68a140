using System.Net;

namespace Balancer.Core.Failover;

/// <summary>
/// The witness's memory and answers (#23, <c>balancer witness</c>): it hears the nodes' adverts, remembers per group
/// every node it hears as master and when, and answers an authenticated query with the master it would elect among the
/// others than the asker: of those heard within a Master_Down_Interval, the one that outranks the rest (RFC 5798
/// §6.4.3's rule), else the one heard last. So when two nodes are master behind a cut heartbeat link, each hears of the
/// other: the lesser yields, the greater re-announces the addresses the lesser had drawn to itself. Adverts and queries are taken only when
/// authentic, from an allowed address (when any are listed), newer (epoch, sequence) than the last from that node, and
/// sent within <c>maxClockSkew</c> of its clock — the witness never talks first, so it cannot use the echo handshake of
/// <see cref="PeerReplayGuard"/> and relies on the time alone. An answer echoes the query's epoch and sequence, which is
/// what makes a recorded answer useless to an attacker. Pure and serialised by the caller.
/// </summary>
public sealed class WitnessLedger
{
    private readonly TimeProvider _time;
    private readonly FailoverKeyRing _keys;
    private readonly ulong _epoch;
    private readonly HashSet<IPAddress> _allowed;
    private readonly TimeSpan _maxClockSkew;
    private readonly Dictionary<string, (ulong Epoch, ulong Sequence)> _order = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Group, string NodeId), (byte Priority, TimeSpan Interval, DateTimeOffset At)> _masters = [];
    private readonly Dictionary<string, long> _rejected = new(StringComparer.Ordinal);
    private ulong _sequence;

    /// <summary>A witness that signs with <paramref name="keys"/>' first key; <paramref name="allowed"/> empty means any source.</summary>
    public WitnessLedger(TimeProvider time, FailoverKeyRing keys, IEnumerable<IPAddress> allowed, TimeSpan maxClockSkew, ulong? epoch = null)
    {
        _time = time;
        _keys = keys;
        _allowed = [.. allowed.Select(Normalize)];
        _maxClockSkew = maxClockSkew;
        _epoch = epoch ?? (ulong)time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>Adverts taken.</summary>
    public long Adverts { get; private set; }

    /// <summary>Queries answered.</summary>
    public long Answered { get; private set; }

    /// <summary>Datagrams refused, by reason.</summary>
    public IReadOnlyDictionary<string, long> Rejected => _rejected;

    /// <summary>The master the witness names now for each group it has heard one of, its priority, when it last heard it.</summary>
    public IReadOnlyDictionary<string, (string NodeId, byte Priority, DateTimeOffset At)> Masters
    {
        get
        {
            var now = _time.GetUtcNow();
            return _masters.Keys.Select(k => k.Group).Distinct().ToDictionary(g => g, g => Elect(g, now)!.Value, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// The nodes advertising as master of <paramref name="group"/> now, each heard within two of its intervals: two or
    /// more is a split brain. Tighter than the election's Master_Down_Interval, so that a master killed just before its
    /// successor's takeover (last heard some 361 ms before, at 100 ms adverts) does not count as a second one.
    /// </summary>
    public IReadOnlyList<string> LiveMasters(string group)
    {
        var now = _time.GetUtcNow();
        return [.. _masters.Where(m => m.Key.Group == group && now - m.Value.At <= 2 * m.Value.Interval).Select(m => m.Key.NodeId).Order(StringComparer.Ordinal)];
    }

    /// <summary>Takes one datagram from <paramref name="source"/>; returns the answer to send back to it, or null.</summary>
    public byte[]? OnDatagram(ReadOnlySpan<byte> datagram, IPAddress source)
    {
        if (_allowed.Count > 0 && !_allowed.Contains(Normalize(source)))
        {
            return Refuse(nameof(PeerCheck.UnknownPeer));
        }

        var now = _time.GetUtcNow();
        if (WitnessCodec.IsWitnessMessage(datagram))
        {
            if (!WitnessCodec.TryDecode(datagram, _keys, out var query, out var error) || query.IsAnswer)
            {
                return Refuse(query.IsAnswer ? nameof(DecodeError.BadType) : error.ToString());
            }

            // A query goes once, by one path: the same one again is a replay.
            return Admit(query.NodeId, query.Epoch, query.Sequence, query.SentAt, now) is { } refusal
                ? Refuse(refusal == nameof(PeerCheck.OtherPath) ? nameof(PeerCheck.Replayed) : refusal)
                : Answer(query, now);
        }

        if (!AdvertCodec.TryDecode(datagram, _keys, out var advert, out _, out var decodeError))
        {
            return Refuse(decodeError.ToString());
        }

        if (Admit(advert.NodeId, advert.Epoch, advert.Sequence, advert.SentAt, now) is { } reason)
        {
            return reason == nameof(PeerCheck.OtherPath) ? null : Refuse(reason);
        }

        Adverts++;
        if (advert.State == FailoverState.Master && advert.Priority > 0)
        {
            _masters[(advert.Group, advert.NodeId)] = (advert.Priority, advert.AdvertInterval, now);
        }
        else
        {
            _masters.Remove((advert.Group, advert.NodeId)); // it resigned or stepped down: no master of ours until it advertises as one
        }

        return null;
    }

    /// <summary>
    /// Of the masters of <paramref name="group"/> but <paramref name="except"/> heard within a Master_Down_Interval, the one that outranks the others;
    /// when none is that recent, the one heard last (its age tells the asker it is gone); null when none was ever heard.
    /// </summary>
    private (string NodeId, byte Priority, DateTimeOffset At)? Elect(string group, DateTimeOffset now, string? except = null)
    {
        (string NodeId, byte Priority, DateTimeOffset At)? live = null, last = null;
        foreach (var ((g, node), master) in _masters)
        {
            if (g != group || node == except)
            {
                continue;
            }

            if (last is not { } l || master.At > l.At)
            {
                last = (node, master.Priority, master.At);
            }

            if (Live(master, now) && (live is not { } best || GroupPriority.Outranks(master.Priority, node, best.Priority, best.NodeId)))
            {
                live = (node, master.Priority, master.At);
            }
        }

        return live ?? last;
    }

    /// <summary>Heard within the longest Master_Down_Interval any backup could use with that master's interval.</summary>
    private static bool Live((byte Priority, TimeSpan Interval, DateTimeOffset At) master, DateTimeOffset now) =>
        now - master.At < FailoverTimers.MasterDownInterval(1, master.Interval);

    private byte[] Answer(in WitnessMessage query, DateTimeOffset now)
    {
        Answered++;
        var elected = Elect(query.Group, now, except: query.NodeId);
        var heard = elected is not null;
        var master = elected.GetValueOrDefault();
        var answer = new WitnessMessage(IsAnswer: true, heard ? master.NodeId : "", query.Group, _epoch, ++_sequence, now.ToUnixTimeMilliseconds(),
            query.Epoch, query.Sequence, heard ? now - master.At : TimeSpan.MaxValue, heard ? master.Priority : (byte)0);
        var buffer = new byte[WitnessCodec.MaxLength];
        return buffer[..WitnessCodec.Encode(answer, _keys, buffer)];
    }

    /// <summary>Null when the message from <paramref name="nodeId"/> may be taken; else the reason it may not.</summary>
    private string? Admit(string nodeId, ulong epoch, ulong sequence, long sentAt, DateTimeOffset now)
    {
        if (_order.TryGetValue(nodeId, out var last) && (epoch < last.Epoch || (epoch == last.Epoch && sequence <= last.Sequence)))
        {
            // The same advert by another heartbeat path is a copy, not a replay.
            return epoch == last.Epoch && sequence == last.Sequence ? nameof(PeerCheck.OtherPath) : nameof(PeerCheck.Replayed);
        }

        if (Math.Abs(now.ToUnixTimeMilliseconds() - sentAt) > _maxClockSkew.TotalMilliseconds)
        {
            return nameof(PeerCheck.Unproven);
        }

        _order[nodeId] = (epoch, sequence);
        return null;
    }

    private byte[]? Refuse(string reason)
    {
        _rejected[reason] = _rejected.GetValueOrDefault(reason) + 1;
        return null;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

namespace Balancer.Core.Failover;

/// <summary>
/// Makes this node's adverts: the session's epoch, one sequence counted from 1 across everything the node sends (so
/// that a receiver's replay rule sees every advert of ours as newer than the last), the peer's epoch echoed back and our
/// send time (so that it can tell them fresh), signed with the ring's first key.
/// </summary>
internal sealed class AdvertWriter(FailoverKeyRing ring, ulong epoch, Func<ulong> echo, TimeProvider time)
{
    private ulong _sequence;
    private volatile FailoverKeyRing _ring = ring;

    /// <summary>This node's session epoch, Unix milliseconds: its boot time, then the time of each <see cref="NewSession"/>.</summary>
    public ulong Epoch => epoch;

    /// <summary>
    /// Starts a new session (its interface came back): a larger epoch, which the peer's adverts echo only once it has
    /// heard one of ours sent after this call. The sequence goes on counting, so every advert is still newer than the last.
    /// </summary>
    public void NewSession() => epoch = Math.Max((ulong)time.GetUtcNow().ToUnixTimeMilliseconds(), epoch + 1);

    /// <summary>How many adverts this node has sent.</summary>
    public ulong Sent => _sequence;

    /// <summary>The keys adverts are signed with (the first) and verified with; swapped whole on a reload.</summary>
    public FailoverKeyRing Ring
    {
        get => _ring;
        set => _ring = value;
    }

    /// <summary>The advert of <paramref name="options"/>' node in <paramref name="state"/> at <paramref name="priority"/>, encoded and MACed.</summary>
    public FailoverAction.SendAdvert Write(FailoverOptions options, string group, FailoverState state, int priority)
    {
        var packet = new AdvertPacket(options.NodeId, state, (byte)priority, options.AdvertInterval, epoch, ++_sequence, options.ConfigHash,
            group, echo(), time.GetUtcNow().ToUnixTimeMilliseconds());
        var buffer = new byte[AdvertCodec.MaxLength];
        var length = AdvertCodec.Encode(packet, Ring, buffer);
        return new FailoverAction.SendAdvert(packet, buffer.AsMemory(0, length));
    }

    /// <summary>A question to the witness about <paramref name="group"/>, signed, taking the next sequence number: the nonce its answer must echo.</summary>
    public (ReadOnlyMemory<byte> Datagram, ulong Nonce) WriteWitnessQuery(string nodeId, string group)
    {
        var message = new WitnessMessage(IsAnswer: false, nodeId, group, epoch, ++_sequence, time.GetUtcNow().ToUnixTimeMilliseconds());
        var buffer = new byte[WitnessCodec.MaxLength];
        return (buffer.AsMemory(0, WitnessCodec.Encode(message, Ring, buffer)), message.Sequence);
    }
}

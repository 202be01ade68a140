namespace Balancer.Core.Failover;

/// <summary>
/// Makes this node's adverts: one boot epoch, one sequence counted from 1 across everything the node sends, so that
/// a receiver's replay rule (<see cref="PeerReplayGuard"/>) sees every advert of ours as newer than the last.
/// </summary>
internal sealed class AdvertWriter(byte[] key, ulong epoch)
{
    private ulong _sequence;

    /// <summary>The advert of <paramref name="options"/>'s node in <paramref name="state"/> at <paramref name="priority"/>, encoded and MACed.</summary>
    public FailoverAction.SendAdvert Write(FailoverOptions options, FailoverState state, int priority)
    {
        var packet = new AdvertPacket(options.NodeId, state, (byte)priority, options.AdvertInterval, epoch, ++_sequence, options.ConfigHash);
        var buffer = new byte[AdvertCodec.MaxLength];
        var length = AdvertCodec.Encode(packet, key, buffer);
        return new FailoverAction.SendAdvert(packet, buffer.AsMemory(0, length));
    }
}

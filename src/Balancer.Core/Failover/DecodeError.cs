namespace Balancer.Core.Failover;

/// <summary>Why <see cref="AdvertCodec.TryDecode"/> refused a datagram.</summary>
public enum DecodeError
{
    /// <summary>The datagram was accepted.</summary>
    None,

    /// <summary>Shorter than the smallest possible advert.</summary>
    TooShort,

    /// <summary>Does not start with <c>BLB1</c>: not ours.</summary>
    BadMagic,

    /// <summary>A protocol version this build does not speak: the peer runs another release (both must speak the same).</summary>
    BadVersion,

    /// <summary>A message type other than advert.</summary>
    BadType,

    /// <summary>The length does not match the node-id length byte.</summary>
    BadLength,

    /// <summary>Signed with a key this node does not hold (its key id is not in the key file): a key rotation step missed, or forged.</summary>
    UnknownKey,

    /// <summary>The HMAC does not verify: corrupted or forged.</summary>
    BadMac,

    /// <summary>Authentic, but a field holds a value the protocol does not allow.</summary>
    BadField,
}

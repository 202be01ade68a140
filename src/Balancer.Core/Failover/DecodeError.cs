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

    /// <summary>A protocol version this build does not speak.</summary>
    BadVersion,

    /// <summary>A message type other than advert.</summary>
    BadType,

    /// <summary>The length does not match the node-id length byte.</summary>
    BadLength,

    /// <summary>The HMAC does not verify: wrong key, corrupted or forged.</summary>
    BadMac,

    /// <summary>Authentic, but a field holds a value the protocol does not allow.</summary>
    BadField,
}

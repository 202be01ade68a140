namespace Balancer.Core.Failover;

/// <summary>One advert as sent by a node of the pair; the wire layout is documented on <see cref="AdvertCodec"/>.</summary>
/// <param name="NodeId">The sender's node id, 1–64 bytes of UTF-8.</param>
/// <param name="State">The sender's state when it sent the advert.</param>
/// <param name="Priority">The sender's effective priority; 0 means "I am resigning" (RFC 5798 §5.2.4).</param>
/// <param name="AdvertInterval">The sender's advert interval, a whole number of centiseconds from 10 ms to 655.35 s.</param>
/// <param name="Epoch">The sender's boot epoch: its wall-clock start time in Unix milliseconds.</param>
/// <param name="Sequence">Counts the sender's adverts within <paramref name="Epoch"/>, from 1.</param>
/// <param name="ConfigHash">The first 16 bytes of the SHA-256 of the sender's config (see <see cref="ConfigFingerprint"/>).</param>
public readonly record struct AdvertPacket(
    string NodeId,
    FailoverState State,
    byte Priority,
    TimeSpan AdvertInterval,
    ulong Epoch,
    ulong Sequence,
    UInt128 ConfigHash);

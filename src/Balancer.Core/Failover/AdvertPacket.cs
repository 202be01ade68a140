namespace Balancer.Core.Failover;

/// <summary>One advert as sent by a node of the pair; the wire layout is documented on <see cref="AdvertCodec"/>.</summary>
/// <param name="NodeId">The sender's node id, 1–64 bytes of UTF-8.</param>
/// <param name="State">The sender's state when it sent the advert.</param>
/// <param name="Priority">The sender's effective priority; 0 from a master means "I am resigning" (RFC 5798 §5.2.4).</param>
/// <param name="AdvertInterval">The sender's advert interval, a whole number of centiseconds from 10 ms to 655.35 s.</param>
/// <param name="Epoch">The sender's session epoch: its wall-clock start time in Unix milliseconds, moved on when its interface comes back from FAULT.</param>
/// <param name="Sequence">Counts the sender's adverts (and witness queries) from 1, across its sessions.</param>
/// <param name="ConfigHash">The first 16 bytes of the SHA-256 of the sender's config (see <see cref="ConfigFingerprint"/>).</param>
/// <param name="Group">The group of virtual IPs the advert speaks for, 1–32 bytes of UTF-8; <c>default</c> for the single-group form.</param>
/// <param name="Echo">The receiver's epoch as the sender last heard it, 0 when it has heard none: proves the advert was sent after the receiver started.</param>
/// <param name="SentAt">The sender's wall clock when it sent the advert, Unix milliseconds.</param>
public readonly record struct AdvertPacket(
    string NodeId,
    FailoverState State,
    byte Priority,
    TimeSpan AdvertInterval,
    ulong Epoch,
    ulong Sequence,
    UInt128 ConfigHash,
    string Group = AdvertPacket.DefaultGroup,
    ulong Echo = 0,
    long SentAt = 0)
{
    /// <summary>The group of the single-group form (<c>priority</c> and <c>virtualIps</c> at the top of <c>failover</c>).</summary>
    public const string DefaultGroup = "default";
}

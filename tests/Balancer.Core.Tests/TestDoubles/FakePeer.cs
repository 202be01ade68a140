using System.Net;
using Balancer.Core.Failover;

namespace Balancer.Core.Tests.TestDoubles;

/// <summary>
/// A hand-driven peer at 192.0.2.2 ("lb2") that makes encoded, MACed adverts with a rising sequence, sent "now" on
/// <paramref name="clock"/>: a peer whose clock agrees with ours, so its adverts are fresh by their send time.
/// </summary>
internal sealed class FakePeer(TimeProvider clock)
{
    public IPEndPoint EndPoint { get; } = new(IPAddress.Parse("192.0.2.2"), 7946);

    public ulong Epoch { get; set; } = 1_000;

    public ulong Sequence { get; set; }

    /// <summary>The receiver's epoch this peer echoes; 0 until a test says it has heard one.</summary>
    public ulong Echo { get; set; }

    /// <summary>How far this peer's clock is from the receiver's.</summary>
    public TimeSpan ClockOffset { get; set; }

    public byte[] Advert(int priority, FailoverState state = FailoverState.Master, UInt128 configHash = default, TimeSpan? interval = null, byte[]? key = null)
    {
        var sentAt = (clock.GetUtcNow() + ClockOffset).ToUnixTimeMilliseconds();
        var packet = new AdvertPacket("lb2", state, (byte)priority, interval ?? TimeSpan.FromSeconds(1), Epoch, ++Sequence, configHash, AdvertPacket.DefaultGroup, Echo, sentAt);
        var buffer = new byte[AdvertCodec.MaxLength];
        return buffer[..AdvertCodec.Encode(packet, new FailoverKeyRing(key ?? InMemoryFailoverLink.Key), buffer)];
    }

    /// <summary>The options of the machine under test: "lb1", whose only peer is this one.</summary>
    public static FailoverOptions Options(int priority = 100) => InMemoryFailoverLink.Options("lb1", priority);
}

using System.Net;
using Balancer.Core.Failover;

namespace Balancer.Core.Tests.TestDoubles;

/// <summary>A hand-driven peer at 192.0.2.2 ("lb2") that makes encoded, MACed adverts with a rising sequence.</summary>
internal sealed class FakePeer
{
    public IPEndPoint EndPoint { get; } = new(IPAddress.Parse("192.0.2.2"), 7946);

    public ulong Epoch { get; set; } = 1_000;

    public ulong Sequence { get; set; }

    public byte[] Advert(int priority, FailoverState state = FailoverState.Master, UInt128 configHash = default, TimeSpan? interval = null, byte[]? key = null)
    {
        var packet = new AdvertPacket("lb2", state, (byte)priority, interval ?? TimeSpan.FromSeconds(1), Epoch, ++Sequence, configHash);
        var buffer = new byte[AdvertCodec.MaxLength];
        return buffer[..AdvertCodec.Encode(packet, key ?? InMemoryFailoverLink.Key, buffer)];
    }

    /// <summary>The options of the machine under test: "lb1", whose only peer is this one.</summary>
    public static FailoverOptions Options(int priority = 100) => InMemoryFailoverLink.Options("lb1", priority);
}

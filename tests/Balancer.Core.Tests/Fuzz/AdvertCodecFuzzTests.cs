using System.Net;
using Balancer.Core.Failover;
using Balancer.Core.Tests.Failover;
using Balancer.Core.Tests.TestDoubles;
using FsCheck;
using FsCheck.Fluent;

namespace Balancer.Core.Tests.Fuzz;

/// <summary>Peer packets: random, truncated, bit-flipped and forged datagrams never throw and never get through.</summary>
public sealed class AdvertCodecFuzzTests
{
    private static readonly byte[] s_key = InMemoryFailoverLink.Key;
    private static readonly FailoverKeyRing s_keys = new(s_key);

    private static readonly Gen<AdvertPacket> s_packets =
        from nodeId in Fuzz.Text("abcxyz0123456789-.é", 30).Where(s => s.Length > 0)
        from state in Gen.Elements(FailoverState.Backup, FailoverState.Master)
        from priority in Gen.Choose(0, 255)
        from centiseconds in Gen.Choose(1, 65_535)
        from epoch in Gen.Choose(0, int.MaxValue)
        from sequence in Gen.Choose(1, int.MaxValue)
        from groupName in Fuzz.Text("abc-_0é", 15).Where(s => s.Length > 0)
        from echo in Gen.Choose(0, int.MaxValue)
        select new AdvertPacket(nodeId, state, (byte)priority, TimeSpan.FromMilliseconds(centiseconds * 10), (ulong)epoch, (ulong)sequence, (UInt128)sequence,
            groupName, (ulong)echo, epoch * 1000L);

    [FuzzProperty]
    public Property TryDecode_RandomBytes_NeverThrowsAndRejects()
    {
        return Prop.ForAll(Fuzz.Bytes(AdvertCodec.MaxLength + 16).ToArbitrary(), bytes => !AdvertCodec.TryDecode(bytes, s_keys, out _, out _, out _));
    }

    [FuzzProperty]
    public Property TryDecode_ValidPacketTruncatedOrBitFlipped_Rejected()
    {
        var cases = from packet in s_packets
                    from cut in Gen.Choose(0, 200)
                    from bit in Gen.Choose(0, 4000)
                    from truncate in Gen.Elements(true, false)
                    select (Encoded: AdvertCodecTests.Encode(packet), Cut: cut, Bit: bit, Truncate: truncate);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var bytes = c.Encoded;
            if (c.Truncate)
            {
                bytes = bytes[..(c.Cut % bytes.Length)];
            }
            else
            {
                bytes[c.Bit / 8 % bytes.Length] ^= (byte)(1 << (c.Bit % 8));
            }

            return !AdvertCodec.TryDecode(bytes, s_keys, out _, out _, out _);
        });
    }

    [FuzzProperty]
    public Property TryDecode_ForgedWithWrongKey_Rejected()
    {
        var cases = from packet in s_packets from key in Fuzz.Bytes(64).Where(k => k.Length > 0 && !k.SequenceEqual(s_key)) select (packet, key);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var rejected = !AdvertCodec.TryDecode(AdvertCodecTests.Encode(c.packet, c.key), s_keys, out _, out _, out var error);
            var genuine = AdvertCodec.TryDecode(AdvertCodecTests.Encode(c.packet), s_keys, out var decoded, out _, out _);
            return rejected && error is DecodeError.UnknownKey or DecodeError.BadMac && genuine && decoded == c.packet;
        });
    }

    [FuzzProperty]
    public Property OnDatagram_Garbage_ChangesNoState()
    {
        var clock = new FakeTimeProvider();
        var peer = new FakePeer(clock);
        var machine = new FailoverMachine(FakePeer.Options(100), s_key, clock);
        machine.Start();
        clock.Advance(FailoverTimers.MasterDownInterval(100, TimeSpan.FromSeconds(1)));
        machine.Tick();
        var garbage = Gen.OneOf(
            Fuzz.Bytes(AdvertCodec.MaxLength + 16),
            Gen.Choose(0, 100).Select(cut => peer.Advert(200)[..cut]),
            Gen.Choose(0, 831).Select(bit => Flip(peer.Advert(200), bit)),
            Gen.Constant(0).Select(_ => peer.Advert(200, key: new byte[32])));
        return Prop.ForAll(garbage.ToArbitrary(), bytes =>
        {
            var actions = machine.OnDatagram(bytes, peer.EndPoint);
            return actions.Count == 0 && machine.State == FailoverState.Master;
        });
    }

    private static byte[] Flip(byte[] bytes, int bit)
    {
        bytes[bit / 8 % bytes.Length] ^= (byte)(1 << (bit % 8));
        return bytes;
    }
}

using System.Net;
using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using Microsoft.Extensions.Time.Testing;

namespace Balancer.Core.Tests.Failover;

/// <summary>The witness's side (#23): what it takes, what it remembers, how it answers.</summary>
public class WitnessLedgerTests
{
    private static readonly IPAddress _lb1 = IPAddress.Parse("198.18.0.11");
    private static readonly IPAddress _lb2 = IPAddress.Parse("198.18.0.12");
    private static readonly FailoverKeyRing _keys = new(InMemoryFailoverLink.Key);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-07T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private ulong _sequence;

    private WitnessLedger Ledger(params IPAddress[] allowed) => new(_clock, _keys, allowed, TimeSpan.FromSeconds(2), epoch: 5);

    private byte[] Advert(string node, FailoverState state, byte priority, ulong? sequence = null, TimeSpan? skew = null)
    {
        var packet = new AdvertPacket(node, state, priority, TimeSpan.FromMilliseconds(100), 1, sequence ?? ++_sequence, 0, "default", 0,
            (_clock.GetUtcNow() + (skew ?? TimeSpan.Zero)).ToUnixTimeMilliseconds());
        var buffer = new byte[AdvertCodec.MaxLength];
        return buffer[..AdvertCodec.Encode(packet, _keys, buffer)];
    }

    private byte[] Query(string node, string group = "default", ulong? sequence = null, FailoverKeyRing? keys = null)
    {
        var buffer = new byte[WitnessCodec.MaxLength];
        return buffer[..WitnessCodec.Encode(new WitnessMessage(false, node, group, 1, sequence ?? ++_sequence, _clock.GetUtcNow().ToUnixTimeMilliseconds()), keys ?? _keys, buffer)];
    }

    private static WitnessMessage Read(byte[]? answer)
    {
        Assert.NotNull(answer);
        Assert.True(WitnessCodec.TryDecode(answer, _keys, out var message, out var error), error.ToString());
        return message;
    }

    [Fact]
    public void Query_AfterTheMastersAdvert_NamesItAndHowLongAgo_EchoingTheQuery()
    {
        var ledger = Ledger();
        Assert.Null(ledger.OnDatagram(Advert("lb1", FailoverState.Master, 150), _lb1));
        _clock.Advance(TimeSpan.FromMilliseconds(70));

        var answer = Read(ledger.OnDatagram(Query("lb2"), _lb2));

        Assert.Equal((true, "lb1", "default", (byte)150), (answer.IsAnswer, answer.NodeId, answer.Group, answer.Priority));
        Assert.Equal(TimeSpan.FromMilliseconds(70), answer.HeardAgo);
        Assert.Equal((1UL, _sequence, 5UL), (answer.NonceEpoch, answer.NonceSequence, answer.Epoch));
    }

    [Fact]
    public void TwoMastersAlive_EachAskerHearsTheOther_ThirdPartiesTheOneThatOutranks_UntilItFallsSilent()
    {
        var ledger = Ledger();
        ledger.OnDatagram(Advert("lb1", FailoverState.Master, 150), _lb1);
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        ledger.OnDatagram(Advert("lb2", FailoverState.Master, 100), _lb2); // heard last, but outranked

        // Each asker hears of the other master: the lesser yields, the greater re-announces.
        Assert.Equal(("lb1", (byte)150), (Read(ledger.OnDatagram(Query("lb2"), _lb2)).NodeId, Read(ledger.OnDatagram(Query("lb2"), _lb2)).Priority));
        Assert.Equal(("lb2", TimeSpan.Zero), (Read(ledger.OnDatagram(Query("lb1"), _lb1)).NodeId, Read(ledger.OnDatagram(Query("lb1"), _lb1)).HeardAgo));
        Assert.Equal(["lb1", "lb2"], ledger.LiveMasters("default"));
        Assert.Equal("lb1", ledger.Masters["default"].NodeId);

        // lb1 silent past the longest Master_Down_Interval of its 100 ms adverts (~400 ms) while lb2 goes on: lb2 it is.
        for (var i = 0; i < 5; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            ledger.OnDatagram(Advert("lb2", FailoverState.Master, 100), _lb2);
        }

        var answer = Read(ledger.OnDatagram(Query("lb3"), _lb1));
        Assert.Equal(("lb2", TimeSpan.Zero), (answer.NodeId, answer.HeardAgo));
        Assert.Equal(["lb2"], ledger.LiveMasters("default"));
        Assert.Equal("lb2", ledger.Masters["default"].NodeId);
    }

    [Fact]
    public void TheOnlyMasterGoneSilent_StillNamedWithItsAge_SoTheAskerSeesItIsGone()
    {
        var ledger = Ledger();
        ledger.OnDatagram(Advert("lb1", FailoverState.Master, 150), _lb1);
        _clock.Advance(TimeSpan.FromSeconds(3));

        var answer = Read(ledger.OnDatagram(Query("lb2"), _lb2));

        Assert.Equal(("lb1", TimeSpan.FromSeconds(3)), (answer.NodeId, answer.HeardAgo));
        Assert.Empty(ledger.LiveMasters("default"));
    }

    [Fact]
    public void MasterKilled_SuccessorTakesOverAfterMasterDownInterval_NotTwoMastersAtOnce()
    {
        var ledger = Ledger();
        ledger.OnDatagram(Advert("lb1", FailoverState.Master, 150), _lb1);
        _clock.Advance(TimeSpan.FromMilliseconds(361)); // kill -9 of lb1: lb2's Master_Down_Interval at 100 ms adverts
        ledger.OnDatagram(Advert("lb2", FailoverState.Master, 100), _lb2);

        Assert.Equal(["lb2"], ledger.LiveMasters("default"));
    }

    [Fact]
    public void Query_NoMasterOrItResignedOrSteppedDown_NamesNone()
    {
        var ledger = Ledger();
        Assert.Equal("", Read(ledger.OnDatagram(Query("lb2"), _lb2)).NodeId);

        ledger.OnDatagram(Advert("lb1", FailoverState.Master, 150), _lb1);
        ledger.OnDatagram(Advert("lb1", FailoverState.Master, 0), _lb1);
        Assert.Equal("", Read(ledger.OnDatagram(Query("lb2"), _lb2)).NodeId);

        ledger.OnDatagram(Advert("lb1", FailoverState.Master, 150), _lb1);
        ledger.OnDatagram(Advert("lb1", FailoverState.Backup, 150), _lb1);
        Assert.Equal(TimeSpan.MaxValue, Read(ledger.OnDatagram(Query("lb2"), _lb2)).HeardAgo);
        Assert.Equal("", Read(ledger.OnDatagram(Query("lb2", group: "b"), _lb2)).NodeId);
    }

    [Fact]
    public void Refuses_ReplayedStaleForgedAndStrangers_ButNotACopyByAnotherPath()
    {
        var ledger = Ledger(_lb1, _lb2);
        var advert = Advert("lb1", FailoverState.Master, 150);
        ledger.OnDatagram(advert, _lb1);
        ledger.OnDatagram(advert, IPAddress.Parse("198.18.1.11")); // not allowed: a stranger
        ledger.OnDatagram(advert, _lb2);                           // the copy by another path: no refusal
        var query = Query("lb2");
        Assert.NotNull(ledger.OnDatagram(query, _lb2));

        Assert.Null(ledger.OnDatagram(query, _lb2));                                                     // replayed
        Assert.Null(ledger.OnDatagram(Advert("lb1", FailoverState.Master, 150, skew: TimeSpan.FromSeconds(5)), _lb1)); // stale
        Assert.Null(ledger.OnDatagram(Query("lb2", keys: new FailoverKeyRing([.. Enumerable.Repeat((byte)9, 32)])), _lb2)); // unknown key
        var forged = Query("lb2");
        forged[^1] ^= 1;
        Assert.Null(ledger.OnDatagram(forged, _lb2));

        Assert.Equal(
            new Dictionary<string, long> { ["UnknownPeer"] = 1, ["Replayed"] = 1, ["Unproven"] = 1, ["UnknownKey"] = 1, ["BadMac"] = 1 },
            ledger.Rejected);
        Assert.Equal((1L, 1L), (ledger.Adverts, ledger.Answered));
    }

    [Fact]
    public void Codec_RoundTrip_AndEveryFlippedByteRefused()
    {
        var buffer = new byte[WitnessCodec.MaxLength];
        var message = new WitnessMessage(true, "lb1", "a", 9, 10, 11, 12, 13, TimeSpan.FromMilliseconds(14), 15);
        var bytes = buffer[..WitnessCodec.Encode(message, _keys, buffer)];

        Assert.True(WitnessCodec.TryDecode(bytes, _keys, out var back, out _));
        Assert.Equal(message, back);
        for (var i = 0; i < bytes.Length; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 0x40;
            Assert.False(WitnessCodec.TryDecode(copy, _keys, out _, out _), $"byte {i}");
        }
    }
}

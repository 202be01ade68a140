using System.Net;
using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.Failover;

/// <summary>
/// Every bad datagram is fed to a MASTER at priority 100 as a would-be priority-200 master advert: accepted, it
/// would make the machine yield. Rejected, nothing may change but the count of its reason.
/// </summary>
public class FailoverMachineRejectionTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly FakePeer _peer;
    private readonly FailoverMachine _machine;

    public FailoverMachineRejectionTests()
    {
        _peer = new FakePeer(_clock);
        _machine = new FailoverMachine(FakePeer.Options(100), InMemoryFailoverLink.Key, _clock);
        _machine.Start();
        _clock.Advance(FailoverTimers.MasterDownInterval(100, TimeSpan.FromSeconds(1)));
        _machine.Tick();
        Assert.Equal(FailoverState.Master, _machine.State);
    }

    [Fact]
    public void OnDatagram_TruncatedAtEveryLength_RejectedWithoutStateChange()
    {
        var advert = _peer.Advert(200);
        for (var length = 0; length < advert.Length; length++)
        {
            AssertRejected(advert[..length]);
        }

        var rejected = _machine.GetSnapshot().RejectedPackets;
        Assert.Equal(advert.Length, rejected["TooShort"] + rejected["BadLength"]);
    }

    [Fact]
    public void OnDatagram_EachBitFlipped_RejectedWithoutStateChange()
    {
        var advert = _peer.Advert(200);
        for (var bit = 0; bit < advert.Length * 8; bit++)
        {
            var flipped = (byte[])advert.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            AssertRejected(flipped);
        }
    }

    [Fact]
    public void OnDatagram_KeyNotInTheKeyFile_RejectedAsUnknownKey()
    {
        var otherKey = new byte[32];

        AssertRejected(_peer.Advert(200, key: otherKey));

        Assert.Equal(1, _machine.GetSnapshot().RejectedPackets["UnknownKey"]);
    }

    [Fact]
    public void OnDatagram_ForgedMacUnderAKnownKeyId_RejectedAsBadMac()
    {
        var forged = _peer.Advert(200);
        forged[^1] ^= 1;

        AssertRejected(forged);

        Assert.Equal(1, _machine.GetSnapshot().RejectedPackets["BadMac"]);
    }

    [Fact]
    public void OnDatagram_RecordedBeforeThisNodeStarted_RejectedAsUnproven()
    {
        // #26 item 2: older than maxClockSkew, echoing an epoch that is not ours.
        _peer.Echo = 12345;
        _peer.ClockOffset = -TimeSpan.FromSeconds(20);

        AssertRejected(_peer.Advert(200));

        Assert.Equal(1, _machine.GetSnapshot().RejectedPackets["Unproven"]);
    }

    [Fact]
    public void OnDatagram_UnknownSourceAddress_RejectedAsUnknownPeer()
    {
        AssertRejected(_peer.Advert(200), new IPEndPoint(IPAddress.Parse("203.0.113.9"), 7946));

        Assert.Equal(1, _machine.GetSnapshot().RejectedPackets["UnknownPeer"]);
    }

    [Fact]
    public void OnDatagram_ReplayedAdvert_RejectedAsReplayed()
    {
        var recorded = _peer.Advert(0);
        _machine.OnDatagram(recorded, _peer.EndPoint);

        AssertRejected(recorded);

        Assert.Equal(1, _machine.GetSnapshot().RejectedPackets["Replayed"]);
    }

    [Fact]
    public void OnDatagram_OlderSequenceThanAccepted_RejectedAsReplayed()
    {
        var older = _peer.Advert(200);
        _machine.OnDatagram(_peer.Advert(0), _peer.EndPoint);

        AssertRejected(older);
    }

    [Fact]
    public void OnDatagram_OlderEpoch_RejectedAsReplayed()
    {
        _machine.OnDatagram(_peer.Advert(0), _peer.EndPoint);
        _peer.Epoch--;

        AssertRejected(_peer.Advert(200));
    }

    [Fact]
    public void OnDatagram_SeededRandomBytes_NeverThrowsNorChangesState()
    {
        var random = new Random(3768);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[random.Next(0, 160)];
            random.NextBytes(bytes);
            if (i % 3 == 0 && bytes.Length >= 4)
            {
                "BLB1"u8.CopyTo(bytes); // get past the magic check sometimes
            }

            AssertRejected(bytes);
        }

        Assert.Equal(3000, _machine.GetSnapshot().RejectedPackets.Values.Sum());
    }

    private void AssertRejected(byte[] datagram, IPEndPoint? source = null)
    {
        var due = _machine.NextTimerDue;

        Assert.Empty(_machine.OnDatagram(datagram, source ?? _peer.EndPoint));

        Assert.Equal(FailoverState.Master, _machine.State);
        Assert.Equal(due, _machine.NextTimerDue);
        Assert.Equal(2, _machine.GetSnapshot().Transitions);
    }
}

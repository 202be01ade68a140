using System.Net;
using Balancer.Core.Failover;

namespace Balancer.Core.Tests.Failover;

public class PeerReplayGuardTests
{
    private const ulong OwnEpoch = 5_000;
    private static readonly IPEndPoint _peer = new(IPAddress.Parse("192.0.2.2"), 7946);
    private static readonly DateTimeOffset _now = DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_000);
    private static readonly TimeSpan _skew = TimeSpan.FromSeconds(2);

    private static PeerReplayGuard Guard(params string[] peerNodeIds) => new("lb1", [IPAddress.Parse("192.0.2.2")], peerNodeIds, OwnEpoch, _skew);

    /// <summary>An advert sent now (fresh by its time) that does not echo us.</summary>
    private static AdvertPacket Advert(ulong epoch, ulong sequence, string nodeId = "lb2", ulong echo = 0, TimeSpan? age = null) =>
        AdvertCodecTests.Sample with { NodeId = nodeId, Epoch = epoch, Sequence = sequence, Echo = echo, SentAt = (_now - (age ?? TimeSpan.Zero)).ToUnixTimeMilliseconds() };

    private static PeerCheck Admit(PeerReplayGuard guard, AdvertPacket packet, IPEndPoint? source = null) => guard.Admit(packet, source ?? _peer, _now, out _);

    [Fact]
    public void Admit_IncreasingSequences_Accepted()
    {
        var guard = Guard();

        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 1)));
        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 2)));
        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 9)));
    }

    [Theory]
    [InlineData(1000UL, 5UL)]  // the same advert again
    [InlineData(1000UL, 4UL)]  // an older one of the same boot
    [InlineData(999UL, 7UL)]   // any one of an earlier boot
    public void Admit_NotNewerThanLastAccepted_Replayed(ulong epoch, ulong sequence)
    {
        var guard = Guard();
        Admit(guard, Advert(1000, 5));

        Assert.Equal(PeerCheck.Replayed, Admit(guard, Advert(epoch, sequence)));
    }

    [Fact]
    public void Admit_PeerRestartedWithNewerEpoch_AcceptedFromSequenceOne()
    {
        var guard = Guard();
        Admit(guard, Advert(1000, 500));

        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(2000, 1)));
        Assert.Equal(PeerCheck.Replayed, Admit(guard, Advert(1000, 501)));
    }

    [Fact]
    public void Admit_RejectedAdvert_DoesNotMoveTheWatermark()
    {
        var guard = Guard();
        Admit(guard, Advert(1000, 5));
        Admit(guard, Advert(1000, 9), new IPEndPoint(IPAddress.Parse("192.0.2.99"), 7946));

        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 6)));
    }

    [Fact]
    public void Admit_GroupsCopyByTheOtherPathAfterTheNextGroupsAdvert_OtherPathNotReplayed()
    {
        // #23: lb2 sends group a's advert (5) then b's (6) on both paths; path 1 brings both before path 2 brings a's copy.
        var guard = new PeerReplayGuard("lb1", [IPAddress.Parse("192.0.2.2"), IPAddress.Parse("198.51.100.2")], [], OwnEpoch, _skew, ["a", "b"]);
        var second = new IPEndPoint(IPAddress.Parse("198.51.100.2"), 7946);

        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 5) with { Group = "a" }));
        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 6) with { Group = "b" }));
        Assert.Equal(PeerCheck.OtherPath, Admit(guard, Advert(1000, 5) with { Group = "a" }, second));
        Assert.Equal(PeerCheck.OtherPath, Admit(guard, Advert(1000, 6) with { Group = "b" }, second));
        Assert.Equal(PeerCheck.Replayed, Admit(guard, Advert(1000, 4) with { Group = "a" }, second)); // older than a's last: a replay
        Assert.Equal(PeerCheck.UnknownGroup, Admit(guard, Advert(1000, 7) with { Group = "c" }));
        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 8) with { Group = "a" }));
    }

    [Fact]
    public void Admit_TheSameAdvertByAnotherPathOfThePeer_OtherPathNotReplayed()
    {
        var guard = new PeerReplayGuard("lb1", [IPAddress.Parse("192.0.2.2"), IPAddress.Parse("198.51.100.2")], [], OwnEpoch, _skew);
        var second = new IPEndPoint(IPAddress.Parse("198.51.100.2"), 7946);

        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 5)));
        Assert.Equal(PeerCheck.OtherPath, Admit(guard, Advert(1000, 5), second));
        Assert.Equal(PeerCheck.Replayed, Admit(guard, Advert(1000, 5)));          // again by the path that brought it first
        Assert.Equal(PeerCheck.Replayed, Admit(guard, Advert(1000, 4), second));  // an older one, by either path
        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 6), second));  // the next may come by the other path first
        Assert.Equal(PeerCheck.OtherPath, Admit(guard, Advert(1000, 6)));
    }

    [Fact]
    public void Admit_UnknownSourceAddress_UnknownPeer()
    {
        Assert.Equal(PeerCheck.UnknownPeer, Admit(Guard(), Advert(1, 1), new IPEndPoint(IPAddress.Parse("192.0.2.3"), 7946)));
    }

    [Fact]
    public void Admit_OtherSourcePortOrIpv4Mapped_Accepted()
    {
        Assert.Equal(PeerCheck.Accepted, Admit(Guard(), Advert(1, 1), new IPEndPoint(IPAddress.Parse("192.0.2.2"), 40000)));
        Assert.Equal(PeerCheck.Accepted, Admit(Guard(), Advert(1, 1), new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.2"), 7946)));
    }

    [Fact]
    public void Admit_NodeIdNotInConfiguredListOrOurOwn_Refused()
    {
        Assert.Equal(PeerCheck.UnknownPeer, Admit(Guard("lb2"), Advert(1, 1, "lb3")));
        Assert.Equal(PeerCheck.Accepted, Admit(Guard("lb2"), Advert(1, 1, "lb2")));
        Assert.Equal(PeerCheck.OwnNodeId, Admit(Guard(), Advert(1, 1, "lb1")));
    }

    [Fact]
    public void Admit_RecordingOlderThanTheSkewAfterWeStarted_UnprovenButItsEpochIsLearnt()
    {
        // #26 item 2: the first contact after this node starts. Before, the first advert was taken whatever it was.
        var guard = Guard();

        Assert.Equal(PeerCheck.Unproven, Admit(guard, Advert(1000, 40, echo: 4_000, age: TimeSpan.FromSeconds(20))));
        Assert.Equal(PeerCheck.Unproven, Admit(guard, Advert(1000, 41, echo: 4_000, age: TimeSpan.FromSeconds(19.9))));
        Assert.Equal(1000UL, guard.EchoEpoch); // our adverts echo it, so the real peer, if alive, proves itself next
    }

    [Fact]
    public void Admit_RecordingYoungerThanTheSkew_AcceptedOnlyWhileYoung()
    {
        var guard = Guard();

        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 40, age: _skew)));
        Assert.Equal(PeerCheck.Unproven, Admit(guard, Advert(1000, 41, age: _skew + TimeSpan.FromMilliseconds(1)))); // the time path proves no session
    }

    [Fact]
    public void Admit_SessionThatEchoedOurEpoch_AcceptedWhateverTheClocksSay()
    {
        var guard = Guard();

        Assert.Equal(PeerCheck.Unproven, Admit(guard, Advert(1000, 1, age: TimeSpan.FromHours(1)))); // a peer an hour off that has not heard us yet
        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 2, echo: OwnEpoch, age: TimeSpan.FromHours(1))));
        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 3, echo: 0, age: TimeSpan.FromHours(1)))); // proven for its whole session
        Assert.Equal(PeerCheck.Unproven, Admit(guard, Advert(2000, 1, age: TimeSpan.FromHours(1)))); // a new session proves itself again
    }

    [Fact]
    public void Admit_EchoOfALaterSessionOfOurs_ProvesLikeTheBootEpoch_AnEarlierProcesssDoesNot()
    {
        var guard = Guard();

        // Our epoch grows when our interface comes back (a new session); the peer echoes the newer one.
        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 1, echo: OwnEpoch + 7_000, age: TimeSpan.FromHours(1))));
        Assert.Equal(PeerCheck.Unproven, Admit(guard, Advert(2000, 1, echo: OwnEpoch - 1, age: TimeSpan.FromHours(1)))); // recorded before we started
    }

    [Fact]
    public void Admit_NewSession_SaysSoOncePerEpoch()
    {
        var guard = Guard();

        guard.Admit(Advert(1000, 1), _peer, _now, out var first);
        guard.Admit(Advert(1000, 2), _peer, _now, out var same);
        guard.Admit(Advert(2000, 1), _peer, _now, out var restarted);

        Assert.Equal((true, false, true), (first, same, restarted));
    }

    [Fact]
    public void Admit_SkewZero_OnlyTheEchoProves()
    {
        var guard = new PeerReplayGuard("lb1", [IPAddress.Parse("192.0.2.2")], [], OwnEpoch, TimeSpan.Zero);

        Assert.Equal(PeerCheck.Unproven, Admit(guard, Advert(1000, 1)));
        Assert.Equal(PeerCheck.Accepted, Admit(guard, Advert(1000, 2, echo: OwnEpoch)));
    }
}

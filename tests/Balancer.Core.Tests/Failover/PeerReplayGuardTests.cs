using System.Net;
using Balancer.Core.Failover;

namespace Balancer.Core.Tests.Failover;

public class PeerReplayGuardTests
{
    private static readonly IPEndPoint _peer = new(IPAddress.Parse("192.0.2.2"), 7946);

    private static PeerReplayGuard Guard(params string[] peerNodeIds) => new("lb1", [IPAddress.Parse("192.0.2.2")], peerNodeIds);

    private static AdvertPacket Advert(ulong epoch, ulong sequence, string nodeId = "lb2") =>
        AdvertCodecTests.Sample with { NodeId = nodeId, Epoch = epoch, Sequence = sequence };

    [Fact]
    public void Admit_IncreasingSequences_Accepted()
    {
        var guard = Guard();

        Assert.Equal(PeerCheck.Accepted, guard.Admit(Advert(1000, 1), _peer));
        Assert.Equal(PeerCheck.Accepted, guard.Admit(Advert(1000, 2), _peer));
        Assert.Equal(PeerCheck.Accepted, guard.Admit(Advert(1000, 9), _peer));
    }

    [Theory]
    [InlineData(1000UL, 5UL)]  // the same advert again
    [InlineData(1000UL, 4UL)]  // an older one of the same boot
    [InlineData(999UL, 7UL)]   // any one of an earlier boot
    public void Admit_NotNewerThanLastAccepted_Replayed(ulong epoch, ulong sequence)
    {
        var guard = Guard();
        guard.Admit(Advert(1000, 5), _peer);

        Assert.Equal(PeerCheck.Replayed, guard.Admit(Advert(epoch, sequence), _peer));
    }

    [Fact]
    public void Admit_PeerRestartedWithNewerEpoch_AcceptedFromSequenceOne()
    {
        var guard = Guard();
        guard.Admit(Advert(1000, 500), _peer);

        Assert.Equal(PeerCheck.Accepted, guard.Admit(Advert(2000, 1), _peer));
        Assert.Equal(PeerCheck.Replayed, guard.Admit(Advert(1000, 501), _peer));
    }

    [Fact]
    public void Admit_RejectedAdvert_DoesNotMoveTheWatermark()
    {
        var guard = Guard();
        guard.Admit(Advert(1000, 5), _peer);
        guard.Admit(Advert(1000, 9), new IPEndPoint(IPAddress.Parse("192.0.2.99"), 7946));

        Assert.Equal(PeerCheck.Accepted, guard.Admit(Advert(1000, 6), _peer));
    }

    [Fact]
    public void Admit_UnknownSourceAddress_UnknownPeer()
    {
        Assert.Equal(PeerCheck.UnknownPeer, Guard().Admit(Advert(1, 1), new IPEndPoint(IPAddress.Parse("192.0.2.3"), 7946)));
    }

    [Fact]
    public void Admit_OtherSourcePort_Accepted()
    {
        Assert.Equal(PeerCheck.Accepted, Guard().Admit(Advert(1, 1), new IPEndPoint(IPAddress.Parse("192.0.2.2"), 40000)));
    }

    [Fact]
    public void Admit_Ipv4MappedSource_Accepted()
    {
        Assert.Equal(PeerCheck.Accepted, Guard().Admit(Advert(1, 1), new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.2"), 7946)));
    }

    [Fact]
    public void Admit_NodeIdNotInConfiguredList_UnknownPeer()
    {
        Assert.Equal(PeerCheck.UnknownPeer, Guard("lb2").Admit(Advert(1, 1, "lb3"), _peer));
        Assert.Equal(PeerCheck.Accepted, Guard("lb2").Admit(Advert(1, 1, "lb2"), _peer));
    }

    [Fact]
    public void Admit_OwnNodeId_OwnNodeId()
    {
        Assert.Equal(PeerCheck.OwnNodeId, Guard().Admit(Advert(1, 1, "lb1"), _peer));
    }
}

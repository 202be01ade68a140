using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

/// <summary>Two masters at once: yielding, the tie-break, unexpected resigns and one incident per queued burst.</summary>
public class FailoverMachineDualMasterTests : FailoverMachineTestBase
{
    [Fact]
    public void OnDatagram_HigherPriorityAsMaster_YieldsAndRemovesVips()
    {
        var machine = Started(200);
        AdvanceAndTick(machine, FailoverTimers.MasterDownInterval(200, _interval));

        var actions = machine.OnDatagram(_peer.Advert(250), _peer.EndPoint);

        Assert.Equal(FailoverState.Backup, machine.State);
        Assert.Equal(["SendAdvert", "StateChanged", "SendAdvert", "RemoveVips", "RunNotifyHook"], Kinds(actions));
        Assert.Equal(0, ((SendAdvert)actions[0]).Packet.Priority); // resigns, so the winner re-announces
        Assert.Equal(FailoverEvent.HigherPriorityAdvert, ((StateChanged)actions[1]).Event);
        Assert.Equal(new RemoveVips(FailoverState.Backup, Held: true), actions[3]);
    }

    [Theory]
    [InlineData("lb1", false)] // "lb2" is the greater id: it wins the tie
    [InlineData("lb3", true)]
    public void OnDatagram_EqualPriorityAsMaster_GreaterNodeIdWins(string ownId, bool weWin)
    {
        const int priority = 200;
        var options = FakePeer.Options(priority) with { NodeId = ownId };
        var machine = new FailoverMachine(options, InMemoryFailoverLink.Key, _clock);
        machine.Start();
        Handshake(machine, options);
        AdvanceAndTick(machine, FailoverTimers.MasterDownInterval(priority, _interval));

        var actions = machine.OnDatagram(_peer.Advert(priority), _peer.EndPoint);

        Assert.Equal(weWin ? FailoverState.Master : FailoverState.Backup, machine.State);
        Assert.Equal(weWin ? 1 : 0, machine.GetSnapshot().DualMasterEvents);
        Assert.Equal(weWin ? ["DualMasterDetected", "SendAdvert", "SendGratuitousArp"] : ["SendAdvert", "StateChanged", "SendAdvert", "RemoveVips", "RunNotifyHook"], Kinds(actions));
    }

    [Fact]
    public void OnDatagram_UnexpectedResignAsMaster_CountsDualMasterAndReannounces()
    {
        var machine = Started(255);

        Assert.Equal(["DualMasterDetected", "SendAdvert", "SendGratuitousArp"], Kinds(machine.OnDatagram(_peer.Advert(0), _peer.EndPoint)));
        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Equal(1, machine.GetSnapshot().DualMasterEvents);
    }

    [Fact]
    public void OnDatagram_ResignFromPreemptedMaster_AdvertisesWithoutASecondBurstOrDualMaster()
    {
        var machine = Started(150);
        machine.OnDatagram(_peer.Advert(100), _peer.EndPoint);

        Assert.Equal(["SendAdvert"], Kinds(machine.OnDatagram(_peer.Advert(0), _peer.EndPoint))); // the takeover's burst covers it
        Assert.Equal(0, machine.GetSnapshot().DualMasterEvents);
    }

    [Fact]
    public void OnDatagram_QueuedAdvertsOfAMasterItOutranks_OneIncidentOneEventOneBurst()
    {
        // A master resumed from SIGSTOP reads the adverts its successor sent meanwhile, all at once (#17 item 4).
        var machine = Started(255);
        var queued = Enumerable.Range(0, 18).SelectMany(_ => machine.OnDatagram(_peer.Advert(100), _peer.EndPoint)).ToList();
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        var late = machine.OnDatagram(_peer.Advert(100), _peer.EndPoint); // its next advert, sent before ours reached it

        Assert.Equal(["DualMasterDetected", "SendAdvert", "SendGratuitousArp"], Kinds(queued));
        Assert.Equal(new SendGratuitousArp(Takeover: false), queued[2]);
        Assert.Empty(late);
        Assert.Equal(1, machine.GetSnapshot().DualMasterEvents);
        Assert.Equal(["SendAdvert"], Kinds(machine.OnDatagram(_peer.Advert(0), _peer.EndPoint))); // its resign ends the incident

        TickThrough(machine, TimeSpan.FromSeconds(10));
        Assert.Single(machine.OnDatagram(_peer.Advert(100), _peer.EndPoint).OfType<DualMasterDetected>()); // a new incident
        Assert.Equal(2, machine.GetSnapshot().DualMasterEvents);
    }
}

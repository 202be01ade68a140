using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

/// <summary>Leaving the pair: the master hands over to its successor before it drops the VIPs.</summary>
public class FailoverMachineShutdownTests : FailoverMachineTestBase
{
    [Fact]
    public void Shutdown_AsMaster_ResignsAtOnceAndKeepsVipsUntilTheSuccessorAdvertisesTwice()
    {
        var machine = Started(255);

        var actions = machine.Shutdown();

        Assert.Equal(["SendAdvert"], Kinds(actions));
        Assert.Equal(0, ((SendAdvert)actions[0]).Packet.Priority);
        Assert.True(machine.HandingOver);
        Assert.Equal(FailoverMachine.HandoverTimeout(_interval), machine.NextTimerDue); // no more adverts of ours
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Empty(machine.OnDatagram(_peer.Advert(100), _peer.EndPoint)); // the successor's first advert: it is adding the VIPs
        Assert.Equal(FailoverState.Master, machine.State);
        _clock.Advance(_interval);
        actions = machine.OnDatagram(_peer.Advert(100), _peer.EndPoint);

        Assert.Equal(["StateChanged", "RemoveVips", "RunNotifyHook"], Kinds(actions));
        Assert.Equal(new StateChanged(FailoverState.Master, FailoverState.Init, FailoverEvent.Shutdown, "handed over to lb2"), actions[0]);
        Assert.False(machine.HandingOver);
        Assert.Null(machine.NextTimerDue);
    }

    [Fact]
    public void Shutdown_AsMasterWithoutSuccessor_LeavesExactlyAtTheHandoverTimeout()
    {
        var machine = Started(255);
        machine.Shutdown();

        Assert.Empty(machine.OnDatagram(_peer.Advert(0), _peer.EndPoint)); // another resign is no successor
        Assert.Empty(AdvanceAndTick(machine, FailoverMachine.HandoverTimeout(_interval) - _oneTick));
        var actions = AdvanceAndTick(machine, _oneTick);

        Assert.Equal(["StateChanged", "RemoveVips", "RunNotifyHook"], Kinds(actions));
        Assert.Equal(FailoverState.Init, machine.State);
    }

    [Fact]
    public void Shutdown_CalledTwiceAsMaster_LeavesAtOnceWithoutASecondResign()
    {
        var machine = Started(255);
        machine.Shutdown();

        Assert.Equal(["StateChanged", "RemoveVips", "RunNotifyHook"], Kinds(machine.Shutdown()));
        Assert.Equal(FailoverState.Init, machine.State);
    }

    [Fact]
    public void Shutdown_WhileHandingOver_HealthAndPriorityChangesSendNoAdvert()
    {
        var machine = Started(FakePeer.Options(255) with { TrackWeight = 100 });
        machine.Shutdown();

        Assert.Empty(machine.SetTrackedHealth(false));
        Assert.DoesNotContain(machine.Reconfigure(FakePeer.Options(200)), a => a is SendAdvert);
        Assert.True(machine.HandingOver);
    }

    [Fact]
    public void Shutdown_AsBackup_GoesToInitQuietly()
    {
        var machine = Started(100);

        Assert.Equal(["StateChanged", "RemoveVips", "RunNotifyHook"], Kinds(machine.Shutdown()));
        Assert.Equal(FailoverState.Init, machine.State);
        Assert.Empty(machine.Shutdown());
    }
}

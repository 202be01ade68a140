using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

/// <summary>Tracked health: the priority weight and the FAULT state; the interface the virtual IPs live on.</summary>
public class FailoverMachineTrackingTests : FailoverMachineTestBase
{
    [Fact]
    public void SetTrackedHealth_UnhealthyMaster_AdvertisesLoweredPriorityAtOnce()
    {
        var machine = Started(FakePeer.Options(255) with { TrackWeight = 100 });

        var actions = machine.SetTrackedHealth(false);

        Assert.Equal(new PriorityChanged(255, 155, false), actions[0]);
        Assert.Equal(155, actions.OfType<SendAdvert>().Single().Packet.Priority);
        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Equal(255, machine.SetTrackedHealth(true).OfType<SendAdvert>().Single().Packet.Priority);
    }

    [Fact]
    public void SetTrackedHealth_WeightAbovePriority_FloorsAtOne()
    {
        var machine = Started(FakePeer.Options(20) with { TrackWeight = 254 });

        machine.SetTrackedHealth(false);

        Assert.Equal(1, machine.EffectivePriority);
    }

    [Fact]
    public void SetTrackedHealth_FaultConfiguredAsMaster_ResignsIntoFaultAndRecoversToBackup()
    {
        var machine = Started(FakePeer.Options(255) with { FaultOnTrackFailure = true });

        var failed = machine.SetTrackedHealth(false);

        Assert.Equal(["SendAdvert", "StateChanged", "SendAdvert", "RemoveVips", "RunNotifyHook"], Kinds(failed));
        Assert.Equal(0, ((SendAdvert)failed[0]).Packet.Priority);
        Assert.Equal(FailoverState.Fault, machine.State);
        Assert.Equal(_interval, machine.NextTimerDue); // only its state advert: a faulty node never takes over
        Assert.Empty(machine.OnDatagram(_peer.Advert(1), _peer.EndPoint));

        var recovered = machine.SetTrackedHealth(true);

        Assert.Equal(FailoverEvent.TrackRecovered, recovered.OfType<StateChanged>().Single().Event);
        Assert.Equal(FailoverState.Backup, machine.State);
    }

    [Fact]
    public void Start_UnhealthyWithFaultConfigured_EntersFault()
    {
        var machine = Machine(FakePeer.Options(100) with { FaultOnTrackFailure = true });
        machine.SetTrackedHealth(false);

        machine.Start();

        Assert.Equal(FailoverState.Fault, machine.State);
    }

    [Fact]
    public void SetInterfaceUp_MasterLinkDownPastThreeIntervals_ResignsIntoFaultRemovingTheAddressesAndBackToBackupWhenUp()
    {
        var machine = Started(255);

        Assert.Empty(machine.SetInterfaceUp(false, "eth0").OfType<StateChanged>()); // no backup can have taken over yet
        var justBefore = TickThrough(machine, FailoverTimers.MinimumMasterDownInterval(_interval) - _oneTick);
        Assert.Empty(justBefore.OfType<StateChanged>());
        Assert.Equal(FailoverState.Master, machine.State);

        var down = TickThrough(machine, _oneTick);

        Assert.Equal(["SendAdvert", "StateChanged", "SendAdvert", "RemoveVips", "RunNotifyHook"], Kinds(down));
        Assert.Equal(0, ((SendAdvert)down[0]).Packet.Priority);
        Assert.Equal(new StateChanged(FailoverState.Master, FailoverState.Fault, FailoverEvent.InterfaceDown, "interface eth0 down for 3000 ms: a backup takes over by now"), down[1]);
        Assert.True(((RemoveVips)down[3]).Held);

        var up = machine.SetInterfaceUp(true, "eth0");

        Assert.Equal(FailoverEvent.InterfaceUp, up.OfType<StateChanged>().Single().Event);
        Assert.Equal(FailoverState.Backup, machine.State);
    }

    [Fact]
    public void SetInterfaceUp_MasterLinkFlapsShorterThanThreeIntervals_StaysMasterThroughIt()
    {
        var machine = Started(255);
        machine.SetInterfaceUp(false, "eth0");
        TickThrough(machine, 2 * _interval);

        machine.SetInterfaceUp(true, "eth0");
        var after = TickThrough(machine, 10 * _interval);

        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Empty(after.OfType<StateChanged>());
        Assert.All(after.OfType<SendAdvert>(), a => Assert.Equal(_peer.Echo, a.Packet.Epoch)); // no FAULT, no new session
    }

    [Fact]
    public void SetInterfaceUp_BackFromFault_ANewSessionWhichTheMasterMustEchoBeforeWePreempt()
    {
        var machine = Started(150);
        var boot = _peer.Echo;
        machine.SetInterfaceUp(false, "eth0");
        TickThrough(machine, 3 * _interval);

        var up = machine.SetInterfaceUp(true, "eth0");
        var session = up.OfType<SendAdvert>().Single().Packet.Epoch;
        Assert.True(session > boot, $"{session} > {boot}");

        // The master's adverts reach us, ours do not reach it yet (the chaos run: 950 ms after a link flap).
        for (var i = 0; i < 3; i++)
        {
            Assert.Empty(machine.OnDatagram(_peer.Advert(100), _peer.EndPoint).OfType<StateChanged>());
            Assert.Empty(AdvanceAndTick(machine, _interval).OfType<StateChanged>());
        }

        Assert.Equal(FailoverState.Backup, machine.State);
        _peer.Echo = session;
        Assert.Equal(FailoverEvent.LowerPriorityAdvert, machine.OnDatagram(_peer.Advert(100), _peer.EndPoint).OfType<StateChanged>().Single().Event);
    }

    [Fact]
    public void SetInterfaceUp_BackupCutOff_NeverTakesOverWhileDownAndWaitsMasterDownIntervalOnceUp()
    {
        var machine = Started(100);
        machine.SetInterfaceUp(false, "eth0");

        // Far past Master_Down_Interval with no advert: a backup on a dead link takes nothing (it would take the address
        // on a link that reaches nobody, and announce it when the link comes back).
        var whileDown = TickThrough(machine, 10 * _interval);

        Assert.Equal(FailoverState.Fault, machine.State);
        Assert.DoesNotContain(whileDown, a => a is AddVips);

        machine.SetInterfaceUp(true, "eth0");
        var justBefore = TickThrough(machine, FailoverTimers.MasterDownInterval(100, _interval) - _oneTick);
        Assert.Equal(FailoverState.Backup, machine.State);
        Assert.DoesNotContain(justBefore, a => a is AddVips);

        var after = TickThrough(machine, 2 * _oneTick);
        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Contains(after, a => a is AddVips);
    }

    [Fact]
    public void SetInterfaceUp_FaultNeedsBothTheLinkAndTheTrackedHealthToLeave()
    {
        var machine = Started(FakePeer.Options(100) with { FaultOnTrackFailure = true });
        machine.SetInterfaceUp(false, "eth0");
        machine.SetTrackedHealth(false);

        Assert.Empty(machine.SetInterfaceUp(true, "eth0").OfType<StateChanged>()); // health still bad
        Assert.Equal(FailoverState.Fault, machine.State);
        machine.SetInterfaceUp(false, "eth0");
        Assert.Empty(machine.SetTrackedHealth(true).OfType<StateChanged>()); // link still down
        Assert.Equal(FailoverState.Fault, machine.State);

        machine.SetInterfaceUp(true, "eth0");

        Assert.Equal(FailoverState.Backup, machine.State);
    }

    [Fact]
    public void SetInterfaceUp_SameStateTwice_OneTransition()
    {
        var machine = Started(100); // a backup: down moves it at once

        Assert.Single(machine.SetInterfaceUp(false, "eth0").OfType<StateChanged>());
        Assert.Empty(machine.SetInterfaceUp(false, "eth0"));
        Assert.Single(machine.SetInterfaceUp(true, "eth0").OfType<StateChanged>());
        Assert.Empty(machine.SetInterfaceUp(true, "eth0"));
    }

    [Fact]
    public void Start_InterfaceDown_EntersFault()
    {
        var machine = Machine(FakePeer.Options(255));
        machine.SetInterfaceUp(false, "eth0");

        machine.Start();

        Assert.Equal(FailoverState.Fault, machine.State);
    }
}

using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

/// <summary>Tracked health: the priority weight and the FAULT state.</summary>
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
}

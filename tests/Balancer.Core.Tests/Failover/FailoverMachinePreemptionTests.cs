using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

/// <summary>A backup taking over from a lower-priority master: preempt on/off, the preempt delay, and a resign.</summary>
public class FailoverMachinePreemptionTests : FailoverMachineTestBase
{
    [Fact]
    public void OnDatagram_LowerPriorityMasterWithPreempt_TakesOverAtOnce()
    {
        var machine = Started(150);

        var actions = machine.OnDatagram(_peer.Advert(100), _peer.EndPoint);

        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Equal(FailoverEvent.LowerPriorityAdvert, actions.OfType<StateChanged>().Single().Event);
    }

    [Fact]
    public void OnDatagram_LowerPriorityMasterThatHasNotHeardUs_PreemptsOnlyOnceItsAdvertEchoesOurEpoch()
    {
        // Just started: the master's adverts reach us before ours reach it. Taking over now would make two masters for
        // as long as ours do not get through; its advert that echoes our epoch shows they do.
        var machine = Machine(150);
        var ours = machine.Start().OfType<SendAdvert>().Single().Packet.Epoch;

        Assert.Equal(["SendAdvert"], Kinds(machine.OnDatagram(_peer.Advert(100), _peer.EndPoint))); // its new session: answered at once
        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(AdvanceAndTick(machine, _interval).OfType<StateChanged>()); // the master is heard: no Master_Down either
            Assert.Empty(machine.OnDatagram(_peer.Advert(100), _peer.EndPoint));
        }

        Assert.Equal(FailoverState.Backup, machine.State);
        _peer.Echo = ours;
        var taken = machine.OnDatagram(_peer.Advert(100), _peer.EndPoint);

        Assert.Equal(FailoverEvent.LowerPriorityAdvert, taken.OfType<StateChanged>().Single().Event);
        Assert.Equal(FailoverState.Master, machine.State);
    }

    [Theory]
    [InlineData(false, 100)] // preempt off
    [InlineData(true, 150)]  // equal priority never preempts a master (RFC 5798 §6.4.2)
    public void OnDatagram_NoPreemption_StaysBackup(bool preempt, int peerPriority)
    {
        var machine = Started(FakePeer.Options(150) with { Preempt = preempt });

        Assert.Empty(machine.OnDatagram(_peer.Advert(peerPriority), _peer.EndPoint));
        Assert.Equal(FailoverState.Backup, machine.State);
    }

    [Fact]
    public void OnDatagram_LowerPriorityMasterWithPreemptDelay_TakesOverWhenDelayExpires()
    {
        var machine = Started(FakePeer.Options(150) with { PreemptDelay = TimeSpan.FromMilliseconds(2500) });
        machine.OnDatagram(_peer.Advert(100), _peer.EndPoint);

        for (var i = 0; i < 2; i++)
        {
            AdvanceAndTick(machine, _interval);
            Assert.Empty(machine.OnDatagram(_peer.Advert(100), _peer.EndPoint));
        }

        Assert.Empty(AdvanceAndTick(machine, TimeSpan.FromMilliseconds(500) - _oneTick));
        var actions = AdvanceAndTick(machine, _oneTick);

        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Equal(FailoverEvent.PreemptDelayExpired, actions.OfType<StateChanged>().Single().Event);
    }

    [Fact]
    public void OnDatagram_PreemptDelayPendingThenBetterMaster_CancelsPreemption()
    {
        var machine = Started(FakePeer.Options(150) with { PreemptDelay = TimeSpan.FromSeconds(2) });
        machine.OnDatagram(_peer.Advert(100), _peer.EndPoint);
        _clock.Advance(_interval);

        machine.OnDatagram(_peer.Advert(200), _peer.EndPoint);

        Assert.Empty(TickThrough(machine, FailoverTimers.MasterDownInterval(150, _interval) - _oneTick).OfType<StateChanged>());
        Assert.Equal(FailoverEvent.MasterDownTimerExpired, TickThrough(machine, _oneTick).OfType<StateChanged>().Single().Event);
    }

    [Fact]
    public void OnDatagram_ResignAsBackup_BecomesMasterAfterSkewTimeOnly()
    {
        var machine = Started(100);
        machine.OnDatagram(_peer.Advert(200), _peer.EndPoint);

        machine.OnDatagram(_peer.Advert(0), _peer.EndPoint);

        Assert.Empty(AdvanceAndTick(machine, FailoverTimers.SkewTime(100, _interval) - _oneTick));
        var changed = AdvanceAndTick(machine, _oneTick).OfType<StateChanged>().Single();
        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Equal("lb2 resigned and Skew_Time 00:00:00.6093750 passed", changed.Reason);
    }
}

using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

/// <summary>Start, adverts, timers, snapshot and construction of the RFC 5798-style state machine.</summary>
public class FailoverMachineTests : FailoverMachineTestBase
{
    [Fact]
    public void Start_PriorityBelow255_EntersBackupRemovingStaleVipsAndAdvertisingItsState()
    {
        var machine = Machine(100);

        var actions = machine.Start();

        Assert.Equal(FailoverState.Backup, machine.State);
        Assert.Equal(["StateChanged", "SendAdvert", "RemoveVips", "RunNotifyHook"], Kinds(actions));
        Assert.Equal(new StateChanged(FailoverState.Init, FailoverState.Backup, FailoverEvent.Startup, "started"), actions[0]);
        Assert.Equal((FailoverState.Backup, 100), (((SendAdvert)actions[1]).Packet.State, ((SendAdvert)actions[1]).Packet.Priority));
        Assert.Equal(new RemoveVips(FailoverState.Backup, Held: false), actions[2]); // a crash as master may have left them (#17 item 3)
        Assert.Equal(_interval, machine.NextTimerDue); // its next state advert; the Master_Down_Timer runs behind it
    }

    [Fact]
    public void Tick_AsBackup_AdvertisesItsStateEveryInterval()
    {
        var machine = Started(100);

        var adverts = TickThrough(machine, TimeSpan.FromSeconds(3)).OfType<SendAdvert>().Select(a => a.Packet).ToArray();

        Assert.Equal([FailoverState.Backup, FailoverState.Backup, FailoverState.Backup], adverts.Select(p => p.State));
        Assert.Equal([3UL, 4UL, 5UL], adverts.Select(p => p.Sequence)); // 1: on entering BACKUP, 2: the handshake's answer
    }

    [Fact]
    public void Start_Priority255_BecomesMasterAtOnce()
    {
        var machine = Machine(255);

        var actions = machine.Start();

        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Equal(["StateChanged", "SendAdvert", "AddVips", "SendGratuitousArp", "RunNotifyHook"], Kinds(actions));
        Assert.Equal(_interval, machine.NextTimerDue);
    }

    [Fact]
    public void Tick_NoAdvertForMasterDownInterval_BecomesMasterExactlyAtDeadline()
    {
        var machine = Started(100);
        var down = FailoverTimers.MasterDownInterval(100, _interval);

        Assert.Empty(TickThrough(machine, down - _oneTick).OfType<StateChanged>());
        Assert.Equal(FailoverState.Backup, machine.State);
        var actions = TickThrough(machine, _oneTick);

        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Equal(FailoverEvent.MasterDownTimerExpired, actions.OfType<StateChanged>().Single().Event);
    }

    [Fact]
    public void Tick_AsMaster_AdvertisesEveryIntervalWithRisingSequence()
    {
        var machine = Started(255);

        Assert.Empty(AdvanceAndTick(machine, _interval - _oneTick));
        var sequences = Enumerable.Range(0, 3)
            .Select(_ => AdvanceAndTick(machine, _interval).OfType<SendAdvert>().Single().Packet.Sequence).ToArray();

        Assert.Equal([3UL, 4UL, 5UL], sequences); // 1: on becoming master, 2: the handshake's answer
    }

    [Fact]
    public void OnDatagram_HigherPriorityMasterAsBackup_RestartsMasterDownTimer()
    {
        var machine = Started(100);
        TickThrough(machine, TimeSpan.FromSeconds(3));

        Assert.Empty(machine.OnDatagram(_peer.Advert(200), _peer.EndPoint));

        Assert.Empty(TickThrough(machine, FailoverTimers.MasterDownInterval(100, _interval) - _oneTick).OfType<StateChanged>());
        Assert.Equal(FailoverEvent.MasterDownTimerExpired, TickThrough(machine, _oneTick).OfType<StateChanged>().Single().Event);
    }

    [Fact]
    public void OnDatagram_MasterWithOtherInterval_BackupUsesMastersInterval()
    {
        var machine = Started(100);

        machine.OnDatagram(_peer.Advert(200, interval: TimeSpan.FromMilliseconds(100)), _peer.EndPoint);

        Assert.Equal(TimeSpan.FromMilliseconds(360.9375), machine.NextTimerDue);
    }

    [Fact]
    public void OnDatagram_AdvertFromBackupState_OnlyRecorded()
    {
        var machine = Started(150);

        Assert.Empty(machine.OnDatagram(_peer.Advert(100, FailoverState.Backup), _peer.EndPoint));

        Assert.Equal(FailoverState.Backup, machine.State);
        Assert.Equal("lb2", machine.GetSnapshot().LastAdvertFrom);
        Assert.Equal(_clock.GetUtcNow(), machine.GetSnapshot().LastAdvertAt);
    }

    [Fact]
    public void OnDatagram_PeerConfigHashDiffers_ReportsDriftOncePerChange()
    {
        var machine = Started(FakePeer.Options(100) with { ConfigHash = 1 });

        var first = machine.OnDatagram(_peer.Advert(200, configHash: 2), _peer.EndPoint);
        var again = machine.OnDatagram(_peer.Advert(200, configHash: 2), _peer.EndPoint);
        var healed = machine.OnDatagram(_peer.Advert(200, configHash: 1), _peer.EndPoint);

        Assert.Equal([new ConfigDriftChanged(true, "lb2", 2)], first);
        Assert.Empty(again);
        Assert.Equal([new ConfigDriftChanged(false, "lb2", 1)], healed);
        Assert.False(machine.GetSnapshot().ConfigDrift);
    }

    [Fact]
    public void GetSnapshot_AfterSeveralTransitions_CountsEachOnce()
    {
        var machine = Started(100);
        AdvanceAndTick(machine, FailoverTimers.MasterDownInterval(100, _interval));
        machine.OnDatagram(_peer.Advert(200), _peer.EndPoint);

        var snapshot = machine.GetSnapshot();

        Assert.Equal(3, snapshot.Transitions);
        Assert.Equal((FailoverState.Backup, 100, true), (snapshot.State, snapshot.EffectivePriority, snapshot.TrackedHealthy));
        Assert.Empty(snapshot.RejectedPackets);
    }

    [Fact]
    public void Constructor_InvalidOptionsOrEmptyKey_Throws()
    {
        Assert.Throws<ArgumentException>(() => new FailoverMachine(FakePeer.Options(0), InMemoryFailoverLink.Key, _clock));
        Assert.Throws<ArgumentException>(() => new FailoverMachine(FakePeer.Options(100), [], _clock));
    }
}

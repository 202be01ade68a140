using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

public class FailoverMachineTests
{
    private static readonly TimeSpan _oneTick = TimeSpan.FromTicks(1);
    private static readonly TimeSpan _interval = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _clock = new();
    private readonly FakePeer _peer = new();

    internal static string[] Kinds(IEnumerable<FailoverAction> actions) => [.. actions.Select(a => a.GetType().Name)];

    [Fact]
    public void Start_PriorityBelow255_EntersBackupOwningNothing()
    {
        var machine = Machine(100);

        var actions = machine.Start();

        Assert.Equal(FailoverState.Backup, machine.State);
        Assert.Equal(["StateChanged", "RunNotifyHook"], Kinds(actions));
        Assert.Equal(new StateChanged(FailoverState.Init, FailoverState.Backup, FailoverEvent.Startup, "started"), actions[0]);
        Assert.Equal(FailoverTimers.MasterDownInterval(100, _interval), machine.NextTimerDue);
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

        Assert.Empty(AdvanceAndTick(machine, down - _oneTick));
        Assert.Equal(FailoverState.Backup, machine.State);
        var actions = AdvanceAndTick(machine, _oneTick);

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

        Assert.Equal([2UL, 3UL, 4UL], sequences);
    }

    [Fact]
    public void OnDatagram_HigherPriorityMasterAsBackup_RestartsMasterDownTimer()
    {
        var machine = Started(100);
        _clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Empty(machine.OnDatagram(_peer.Advert(200), _peer.EndPoint));

        Assert.Equal(FailoverTimers.MasterDownInterval(100, _interval), machine.NextTimerDue);
    }

    [Fact]
    public void OnDatagram_MasterWithOtherInterval_BackupUsesMastersInterval()
    {
        var machine = Started(100);

        machine.OnDatagram(_peer.Advert(200, interval: TimeSpan.FromMilliseconds(100)), _peer.EndPoint);

        Assert.Equal(TimeSpan.FromMilliseconds(360.9375), machine.NextTimerDue);
    }

    [Fact]
    public void OnDatagram_LowerPriorityMasterWithPreempt_TakesOverAtOnce()
    {
        var machine = Started(150);

        var actions = machine.OnDatagram(_peer.Advert(100), _peer.EndPoint);

        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Equal(FailoverEvent.LowerPriorityAdvert, actions.OfType<StateChanged>().Single().Event);
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
        AdvanceAndTick(machine, _interval);

        Assert.Equal(FailoverState.Backup, machine.State);
        Assert.Equal(FailoverTimers.MasterDownInterval(150, _interval) - _interval, machine.NextTimerDue);
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

    [Fact]
    public void OnDatagram_HigherPriorityAsMaster_YieldsAndRemovesVips()
    {
        var machine = Started(200);
        AdvanceAndTick(machine, FailoverTimers.MasterDownInterval(200, _interval));

        var actions = machine.OnDatagram(_peer.Advert(250), _peer.EndPoint);

        Assert.Equal(FailoverState.Backup, machine.State);
        Assert.Equal(["SendAdvert", "StateChanged", "RemoveVips", "RunNotifyHook"], Kinds(actions));
        Assert.Equal(0, ((SendAdvert)actions[0]).Packet.Priority); // resigns, so the winner re-announces
        Assert.Equal(FailoverEvent.HigherPriorityAdvert, ((StateChanged)actions[1]).Event);
    }

    [Theory]
    [InlineData("lb1", false)] // "lb2" is the greater id: it wins the tie
    [InlineData("lb3", true)]
    public void OnDatagram_EqualPriorityAsMaster_GreaterNodeIdWins(string ownId, bool weWin)
    {
        const int priority = 200;
        var machine = new FailoverMachine(FakePeer.Options(priority) with { NodeId = ownId }, InMemoryFailoverLink.Key, _clock);
        machine.Start();
        AdvanceAndTick(machine, FailoverTimers.MasterDownInterval(priority, _interval));

        var actions = machine.OnDatagram(_peer.Advert(priority), _peer.EndPoint);

        Assert.Equal(weWin ? FailoverState.Master : FailoverState.Backup, machine.State);
        Assert.Equal(weWin ? 1 : 0, machine.GetSnapshot().DualMasterEvents);
        Assert.Equal(weWin ? ["DualMasterDetected", "SendAdvert", "SendGratuitousArp"] : ["SendAdvert", "StateChanged", "RemoveVips", "RunNotifyHook"], Kinds(actions));
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
    public void OnDatagram_ResignFromPreemptedMaster_ReannouncesWithoutCountingDualMaster()
    {
        var machine = Started(150);
        machine.OnDatagram(_peer.Advert(100), _peer.EndPoint);

        Assert.Equal(["SendAdvert", "SendGratuitousArp"], Kinds(machine.OnDatagram(_peer.Advert(0), _peer.EndPoint)));
        Assert.Equal(0, machine.GetSnapshot().DualMasterEvents);
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

    private FailoverMachine Machine(int priority) => Machine(FakePeer.Options(priority));

    private FailoverMachine Machine(FailoverOptions options) => new(options, InMemoryFailoverLink.Key, _clock);

    private FailoverMachine Started(int priority) => Started(FakePeer.Options(priority));

    private FailoverMachine Started(FailoverOptions options)
    {
        var machine = Machine(options);
        machine.Start();
        return machine;
    }

    private IReadOnlyList<FailoverAction> AdvanceAndTick(FailoverMachine machine, TimeSpan by)
    {
        _clock.Advance(by);
        return machine.Tick();
    }
}

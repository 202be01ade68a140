using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

public class FailoverMachineTests
{
    private static readonly TimeSpan _oneTick = TimeSpan.FromTicks(1);
    private static readonly TimeSpan _interval = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _clock = new();
    private readonly FakePeer _peer;

    public FailoverMachineTests() => _peer = new FakePeer(_clock);

    internal static string[] Kinds(IEnumerable<FailoverAction> actions) => [.. actions.Select(a => a.GetType().Name)];

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

    [Fact]
    public void Tick_MasterAdvertsTwoIntervalsApart_ReportsTheStall()
    {
        var machine = Started(255);
        Assert.DoesNotContain(AdvanceAndTick(machine, _interval), a => a is AdvertStall);

        var actions = AdvanceAndTick(machine, TimeSpan.FromSeconds(2));

        // The backup's Master_Down_Interval is at least 3 intervals; two thirds of it is 2 s.
        Assert.Equal(new AdvertStall(Sent: true, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)), actions.OfType<AdvertStall>().Single());
        Assert.Equal(FailoverState.Master, machine.State);
    }

    [Fact]
    public void OnDatagram_MasterAdvertWithinAThirdOfMasterDownInterval_ReportsTheStallHeard()
    {
        // Master_Down_Interval at priority 100 and 1 s adverts is 3.609 s; two thirds of it, 2.406 s. The 2444 ms of #17.
        var machine = Started(100);
        var down = FailoverTimers.MasterDownInterval(100, _interval);
        machine.OnDatagram(_peer.Advert(200), _peer.EndPoint);
        TickThrough(machine, TimeSpan.FromMilliseconds(2400));
        Assert.Empty(machine.OnDatagram(_peer.Advert(200), _peer.EndPoint));
        TickThrough(machine, TimeSpan.FromMilliseconds(2444));

        var actions = machine.OnDatagram(_peer.Advert(200), _peer.EndPoint);

        Assert.Equal([new AdvertStall(Sent: false, TimeSpan.FromMilliseconds(2444), down)], actions);
        Assert.Equal(FailoverState.Backup, machine.State);
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

    /// <summary>A started machine that has heard the peer once (as backup), so the peer's session is known.</summary>
    private FailoverMachine Started(FailoverOptions options)
    {
        var machine = Machine(options);
        machine.Start();
        Handshake(machine, options);
        return machine;
    }

    /// <summary>
    /// The peer's first advert: a new session, which the machine answers at once with an advert of its own (the
    /// handshake that lets the peer's next adverts echo its epoch). Tests of one advert start after it.
    /// </summary>
    private void Handshake(FailoverMachine machine, FailoverOptions options)
    {
        var answer = machine.OnDatagram(_peer.Advert(1, FailoverState.Backup, options.ConfigHash), _peer.EndPoint);
        Assert.Equal(machine.State == FailoverState.Init ? [] : ["SendAdvert"], Kinds(answer));
    }

    private IReadOnlyList<FailoverAction> AdvanceAndTick(FailoverMachine machine, TimeSpan by)
    {
        _clock.Advance(by);
        return machine.Tick();
    }

    /// <summary>Moves the clock by exactly <paramref name="duration"/>, ticking whenever a timer is due; every action returned.</summary>
    private List<FailoverAction> TickThrough(FailoverMachine machine, TimeSpan duration)
    {
        var actions = new List<FailoverAction>();
        var end = _clock.GetTimestamp() + duration.Ticks;
        for (var rounds = 0; machine.NextTimerDue is { } due && _clock.GetTimestamp() + due.Ticks <= end; rounds++)
        {
            Assert.True(rounds < 100_000, "a timer stays due without progress");
            _clock.Advance(due);
            actions.AddRange(machine.Tick());
        }

        _clock.Advance(TimeSpan.FromTicks(end - _clock.GetTimestamp()));
        return actions;
    }
}

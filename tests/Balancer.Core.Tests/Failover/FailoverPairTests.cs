using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

/// <summary>Two machines talking through the codec over <see cref="InMemoryFailoverLink"/>.</summary>
public class FailoverPairTests
{
    private static readonly TimeSpan _oneTick = TimeSpan.FromTicks(1);
    private static readonly TimeSpan _interval = TimeSpan.FromSeconds(1);

    [Fact]
    public void StartTogether_DifferentPriorities_HigherIsTheOnlyMaster()
    {
        var link = Pair(150, 100);

        link.StartBoth();
        link.RunFor(TimeSpan.FromSeconds(30));

        Assert.Equal((FailoverState.Master, FailoverState.Backup), (link.A.State, link.B.State));
        Assert.Equal(2, link.A.Machine.GetSnapshot().Transitions);
        Assert.Equal(1, link.B.Machine.GetSnapshot().Transitions);
    }

    [Fact]
    public void StartTogether_EqualPriorities_GreaterNodeIdIsTheOnlyMaster()
    {
        var link = Pair(100, 100);

        link.StartBoth();
        link.RunFor(TimeSpan.FromSeconds(30));

        // Both timers run out at the same instant and both adverts cross: "lb2" > "lb1" wins the tie-break.
        Assert.Equal((FailoverState.Backup, FailoverState.Master), (link.A.State, link.B.State));
        Assert.Equal(1, link.B.Machine.GetSnapshot().DualMasterEvents);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StartedApart_EqualPriorities_TheFirstStartedStaysMasterWhateverItsId(bool lb1First)
    {
        // #17 item 5: started 70 ms apart, "lb1" won although docs/failover.md said the greater id wins. An equal-priority
        // backup never preempts (RFC 5798 §6.4.2); the node id breaks a tie only between two masters.
        var link = Pair(100, 100);
        var (first, second) = lb1First ? (link.A, link.B) : (link.B, link.A);

        link.Apply(first, first.Machine.Start());
        link.RunFor(TimeSpan.FromMilliseconds(70));
        link.Apply(second, second.Machine.Start());
        link.RunFor(TimeSpan.FromSeconds(30));

        Assert.Equal((FailoverState.Master, FailoverState.Backup), (first.State, second.State));
        Assert.Equal((0, 1), (first.Machine.GetSnapshot().DualMasterEvents, second.Machine.GetSnapshot().Transitions));
    }

    [Fact]
    public void ConfigsDiffer_BothNodesShowTheDriftAndLogItOnce()
    {
        // #17 item 5: only the backup reported drift, because only the master advertised.
        var link = new InMemoryFailoverLink(InMemoryFailoverLink.Options("lb1", 200) with { ConfigHash = 1 }, InMemoryFailoverLink.Options("lb2", 100) with { ConfigHash = 2 });

        link.StartBoth();
        link.RunFor(TimeSpan.FromSeconds(10));

        Assert.Equal((FailoverState.Master, FailoverState.Backup), (link.A.State, link.B.State));
        Assert.Equal((true, (UInt128?)2), (link.A.Machine.GetSnapshot().ConfigDrift, link.A.Machine.GetSnapshot().PeerConfigHash));
        Assert.Equal((true, (UInt128?)1), (link.B.Machine.GetSnapshot().ConfigDrift, link.B.Machine.GetSnapshot().PeerConfigHash));
        Assert.Equal([new ConfigDriftChanged(true, "lb2", 2)], link.A.Actions.OfType<ConfigDriftChanged>());
        Assert.Equal([new ConfigDriftChanged(true, "lb1", 1)], link.B.Actions.OfType<ConfigDriftChanged>());
        Assert.Equal((FailoverState.Backup, 100), (link.A.Machine.GetSnapshot().PeerState, link.A.Machine.GetSnapshot().PeerPriority));
    }

    [Fact]
    public void MasterDies_Backup_TakesOverAfterExactlyMasterDownInterval()
    {
        var link = Running(200, 100);
        link.RunFor(TimeSpan.FromMilliseconds(300));

        link.A.LinkUp = false;
        var remaining = link.B.LastReceivedAt + FailoverTimers.MasterDownInterval(100, _interval).Ticks - link.Clock.GetTimestamp();
        link.RunFor(TimeSpan.FromTicks(remaining) - _oneTick);
        Assert.Equal(FailoverState.Backup, link.B.State);
        link.RunFor(_oneTick);
        Assert.Equal(FailoverState.Master, link.B.State);
        link.RunFor(_oneTick);

        Assert.Equal(FailoverState.Master, link.B.State);
        Assert.Equal(FailoverEvent.MasterDownTimerExpired, link.B.Actions.OfType<StateChanged>().Last().Event);
    }

    [Fact]
    public void HigherPriorityNodeJoins_WithPreempt_TakesOverOnFirstAdvertHeard()
    {
        var link = MasterAloneThenJoins(InMemoryFailoverLink.Options("lb1", 200));

        link.RunFor(_interval);

        Assert.Equal((FailoverState.Master, FailoverState.Backup), (link.A.State, link.B.State));
        Assert.Equal(0, link.A.Machine.GetSnapshot().DualMasterEvents);
        Assert.Equal(FailoverEvent.HigherPriorityAdvert, link.B.Actions.OfType<StateChanged>().Last().Event);
    }

    [Fact]
    public void HigherPriorityNodeJoins_WithPreemptDelay_TakesOverExactlyAfterDelay()
    {
        var delay = TimeSpan.FromSeconds(5);
        var link = MasterAloneThenJoins(InMemoryFailoverLink.Options("lb1", 200) with { PreemptDelay = delay });
        link.RunFor(_interval);
        Assert.Equal(FailoverState.Backup, link.A.State);
        Assert.Single(link.A.Actions.OfType<StateChanged>()); // only its start: the lower advert it heard started the delay
        var firstHeard = link.A.LastReceivedAt;

        link.RunFor(TimeSpan.FromTicks(firstHeard + delay.Ticks - link.Clock.GetTimestamp()) - _oneTick);
        Assert.Equal(FailoverState.Backup, link.A.State);
        link.RunFor(_oneTick);

        Assert.Equal((FailoverState.Master, FailoverState.Backup), (link.A.State, link.B.State));
        Assert.Equal(FailoverEvent.PreemptDelayExpired, link.A.Actions.OfType<StateChanged>().Last().Event);
    }

    [Fact]
    public void HigherPriorityNodeJoins_PreemptOff_LeavesMasterAlone()
    {
        var link = MasterAloneThenJoins(InMemoryFailoverLink.Options("lb1", 200) with { Preempt = false });

        link.RunFor(TimeSpan.FromSeconds(60));

        Assert.Equal((FailoverState.Backup, FailoverState.Master), (link.A.State, link.B.State));
    }

    [Fact]
    public void MasterShutsDown_Backup_TakesOverAfterSkewTimeOnly()
    {
        var link = Running(200, 100);

        link.Apply(link.A, link.A.Machine.Shutdown());
        link.Flush();
        link.RunFor(FailoverTimers.SkewTime(100, _interval) - _oneTick);
        Assert.Equal(FailoverState.Backup, link.B.State);
        link.RunFor(_oneTick);

        Assert.Equal(FailoverState.Master, link.B.State);
        Assert.Equal(0, link.B.Machine.GetSnapshot().DualMasterEvents);
    }

    [Fact]
    public void MasterShutsDown_OldMaster_HoldsTheVipsUntilTheNewMastersSecondAdvert()
    {
        var link = Running(200, 100);

        link.Apply(link.A, link.A.Machine.Shutdown());
        link.Flush();
        link.RunFor(FailoverTimers.SkewTime(100, _interval) + _interval - _oneTick);
        Assert.Equal((FailoverState.Master, FailoverState.Master), (link.A.State, link.B.State)); // both hold the VIPs: no gap
        Assert.DoesNotContain(link.A.Actions, a => a is RemoveVips { Held: true });
        link.RunFor(_oneTick);

        Assert.Equal((FailoverState.Init, FailoverState.Master), (link.A.State, link.B.State));
        Assert.IsType<RemoveVips>(link.A.Actions[^2]);
        Assert.Equal(0, link.B.Machine.GetSnapshot().DualMasterEvents);
    }

    [Fact]
    public void TrackedPoolDown_OnMaster_HandsOverToPeerAndBackOnRecovery()
    {
        var link = new InMemoryFailoverLink(InMemoryFailoverLink.Options("lb1", 200) with { TrackWeight = 100 }, InMemoryFailoverLink.Options("lb2", 150));
        link.StartBoth();
        link.RunFor(TimeSpan.FromSeconds(10));

        link.Apply(link.A, link.A.Machine.SetTrackedHealth(false));
        link.Flush();
        Assert.Equal((FailoverState.Backup, FailoverState.Master), (link.A.State, link.B.State));

        link.Apply(link.A, link.A.Machine.SetTrackedHealth(true));
        link.RunFor(_interval);
        Assert.Equal((FailoverState.Master, FailoverState.Backup), (link.A.State, link.B.State));
    }

    [Fact]
    public void PartitionHeals_BothMasters_LowerYieldsWithinOneAdvert()
    {
        var link = Running(200, 100);
        link.A.LinkUp = link.B.LinkUp = false;
        link.RunFor(TimeSpan.FromSeconds(10));
        Assert.Equal((FailoverState.Master, FailoverState.Master), (link.A.State, link.B.State));

        link.A.LinkUp = link.B.LinkUp = true;
        link.RunFor(_interval);

        Assert.Equal((FailoverState.Master, FailoverState.Backup), (link.A.State, link.B.State));
        Assert.Equal(1, link.A.Machine.GetSnapshot().DualMasterEvents);
        Assert.IsType<SendGratuitousArp>(link.A.Actions[^1]);
    }

    [Fact]
    public void SteadyState_OneMinute_MasterAdvertisesEverySecondAndNothingChanges()
    {
        var link = Running(200, 100);
        var before = link.A.Actions.Count;

        link.RunFor(TimeSpan.FromSeconds(60));

        Assert.Equal(60, link.A.Actions.Skip(before).Count(a => a is SendAdvert));
        Assert.Equal(60, link.A.Actions.Skip(before).Count());
        Assert.Equal(1, link.B.Machine.GetSnapshot().Transitions);
        Assert.Empty(link.B.Machine.GetSnapshot().RejectedPackets);
        Assert.Equal((_interval, _interval), (link.A.Machine.GetSnapshot().LongestAdvertGapSent, link.B.Machine.GetSnapshot().LongestAdvertGapHeard));
    }

    [Fact]
    public void MasterStalls_Backup_ReportsTheLongestGapBetweenAdvertsHeard()
    {
        var link = Running(200, 100);

        link.A.LinkUp = false;
        link.RunFor(TimeSpan.FromSeconds(1.5)); // two adverts lost (A advertises at x.22 s): a 3 s gap, under Master_Down_Interval
        link.A.LinkUp = true;
        link.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(FailoverState.Backup, link.B.State);
        Assert.Equal(TimeSpan.FromSeconds(3), link.B.Machine.GetSnapshot().LongestAdvertGapHeard);
        Assert.Equal(_interval, link.A.Machine.GetSnapshot().LongestAdvertGapSent);
    }

    /// <summary>lb2 (priority 100) starts alone and becomes master; then lb1 starts with <paramref name="a"/>.</summary>
    private static InMemoryFailoverLink MasterAloneThenJoins(FailoverOptions a)
    {
        var link = new InMemoryFailoverLink(a, InMemoryFailoverLink.Options("lb2", 100));
        link.Apply(link.B, link.B.Machine.Start());
        link.RunFor(TimeSpan.FromSeconds(10));
        Assert.Equal(FailoverState.Master, link.B.State);
        link.Apply(link.A, link.A.Machine.Start());
        return link;
    }

    [Fact]
    public void LinkFlapOfThePreemptingNode_ItsAdvertsLostAfterwards_NeverTwoMasters()
    {
        var link = Running(150, 100);
        link.Apply(link.A, link.A.Machine.SetInterfaceUp(false, "eth0"));
        link.A.LinkUp = false;
        link.RunFor(5 * _interval);
        Assert.Equal((FailoverState.Fault, FailoverState.Master), (link.A.State, link.B.State));

        // The link is back and lb1 hears lb2, but what lb1 sends is lost for 2.5 s (an ARP request lost after link-up).
        link.Apply(link.A, link.A.Machine.SetInterfaceUp(true, "eth0"));
        link.Flush();
        for (var step = 0; step < 25; step++)
        {
            link.RunFor(_interval / 10);
            Assert.False(link.A.State == FailoverState.Master && link.B.State == FailoverState.Master, $"two masters {step * 100} ms after the link came back");
        }

        Assert.Equal(FailoverState.Backup, link.A.State);
        link.A.LinkUp = true;
        link.RunFor(2 * _interval);

        Assert.Equal((FailoverState.Master, FailoverState.Backup), (link.A.State, link.B.State));
        Assert.Equal(FailoverEvent.LowerPriorityAdvert, link.A.Actions.OfType<StateChanged>().Last().Event);
        Assert.Equal(0, link.A.Machine.GetSnapshot().DualMasterEvents);
    }

    private static InMemoryFailoverLink Pair(int priorityA, int priorityB) =>
        new(InMemoryFailoverLink.Options("lb1", priorityA), InMemoryFailoverLink.Options("lb2", priorityB));

    private static InMemoryFailoverLink Running(int priorityA, int priorityB)
    {
        var link = Pair(priorityA, priorityB);
        link.StartBoth();
        link.RunFor(TimeSpan.FromSeconds(10));
        Assert.Equal((FailoverState.Master, FailoverState.Backup), (link.A.State, link.B.State));
        return link;
    }
}

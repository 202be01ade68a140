using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

/// <summary>
/// Active-active (#23, <c>failover.groups</c>): lb1 runs group a at 150 and b at 100, lb2 the reverse, over one link
/// through the codec. Master_Down_Interval at priority 100 and 1 s adverts is 3.609 s.
/// </summary>
public class FailoverMachineGroupsTests
{
    private static readonly TimeSpan _interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan _masterDown = FailoverTimers.MasterDownInterval(100, _interval);

    private static FailoverOptions Node(string nodeId, int a, int b, int trackWeight = 50) => InMemoryFailoverLink.Options(nodeId, 100) with
    {
        Groups = [new FailoverGroupOptions("a", a, TrackWeight: trackWeight), new FailoverGroupOptions("b", b, TrackWeight: trackWeight)],
    };

    private static InMemoryFailoverLink ActiveActive()
    {
        var link = new InMemoryFailoverLink(Node("lb1", 150, 100, trackWeight: 60), Node("lb2", 100, 150));
        link.StartBoth();
        link.RunFor(TimeSpan.FromSeconds(10));
        return link;
    }

    private static (FailoverState A, FailoverState B) States(InMemoryFailoverLink.Node node) => (node.Machine.StateOf("a"), node.Machine.StateOf("b"));

    [Fact]
    public void Started_EachNodeMasterOfTheGroupItRanksHigherIn()
    {
        var link = ActiveActive();

        Assert.Equal((FailoverState.Master, FailoverState.Backup), States(link.A));
        Assert.Equal((FailoverState.Backup, FailoverState.Master), States(link.B));
        Assert.Equal(["a", "b"], link.A.Machine.GroupNames);

        // Each group's actions name it: lb1 added a's addresses, lb2 b's, and neither the other's.
        Assert.Equal(["a"], link.A.Actions.OfType<AddVips>().Select(a => a.Group).Distinct());
        Assert.Equal(["b"], link.B.Actions.OfType<AddVips>().Select(a => a.Group).Distinct());
        Assert.All(link.A.Actions.OfType<SendAdvert>(), s => Assert.Equal(s.Group, s.Packet.Group));

        var groups = link.A.Machine.GetSnapshot().Groups;
        Assert.Equal([("a", FailoverState.Master, "lb1"), ("b", FailoverState.Backup, "lb2")], groups.Select(g => (g.Name, g.State, g.Master)));
        Assert.Equal((FailoverState.Master, 150), (groups[1].PeerState, groups[1].PeerPriority));
        Assert.Equal(["192.0.2.2"], groups[1].Paths.Select(p => p.Address));
    }

    [Fact]
    public void PeerDies_SurvivorTakesItsGroupWithinMasterDownInterval_AndKeepsItsOwn()
    {
        var link = ActiveActive();
        var before = link.B.Actions.Count;

        link.A.LinkUp = false; // lb1 is silent: dead to lb2
        var step = TimeSpan.FromMilliseconds(10);
        var waited = TimeSpan.Zero;
        for (; link.B.Machine.StateOf("a") != FailoverState.Master && waited < 2 * _masterDown; waited += step)
        {
            Assert.Equal(FailoverState.Master, link.B.Machine.StateOf("b"));
            link.RunFor(step);
        }

        // Master_Down_Interval after lb1's last advert of a, which came at most an interval before the cut.
        Assert.InRange(waited, _masterDown - _interval, _masterDown + step);

        Assert.Equal((FailoverState.Master, FailoverState.Master), States(link.B));
        var changed = Assert.Single(link.B.Actions.Skip(before).OfType<StateChanged>());
        Assert.Equal(("a", FailoverEvent.MasterDownTimerExpired), (changed.Group, changed.Event));
    }

    [Fact]
    public void PeerRestarts_TakesBackOnlyTheGroupItPreempts()
    {
        var link = ActiveActive();
        link.A.LinkUp = false;
        link.RunFor(TimeSpan.FromSeconds(5));
        var bTransitions = link.B.Machine.GetSnapshot().Groups[1].Transitions;
        var before = link.B.Actions.Count;

        link.Restart(link.A, Node("lb1", 150, 100));
        link.RunFor(TimeSpan.FromSeconds(10));

        Assert.Equal((FailoverState.Master, FailoverState.Backup), States(link.A));
        Assert.Equal((FailoverState.Backup, FailoverState.Master), States(link.B));
        var changed = Assert.Single(link.B.Actions.Skip(before).OfType<StateChanged>());
        Assert.Equal(("a", FailoverState.Master, FailoverState.Backup, FailoverEvent.HigherPriorityAdvert), (changed.Group, changed.From, changed.To, changed.Event));
        Assert.Equal(bTransitions, link.B.Machine.GetSnapshot().Groups[1].Transitions);
        Assert.DoesNotContain(link.B.Actions.Skip(before).OfType<RemoveVips>(), r => r.Group == "b");
    }

    [Fact]
    public void OneGroupsTrackFails_OnlyThatGroupMoves()
    {
        var link = ActiveActive();
        var before = (A: link.A.Actions.Count, B: link.B.Actions.Count);

        link.Apply(link.A, link.A.Machine.SetTrackedHealth("a", false)); // 150 - 60 = 90 < lb2's 100 in a
        link.Flush();
        link.RunFor(TimeSpan.FromSeconds(5));

        Assert.Equal((FailoverState.Backup, FailoverState.Backup), States(link.A));
        Assert.Equal((FailoverState.Master, FailoverState.Master), States(link.B));
        Assert.All(link.A.Actions.Skip(before.A).OfType<StateChanged>(), c => Assert.Equal("a", c.Group));
        Assert.Equal([("a", 150, 90)], link.A.Actions.Skip(before.A).OfType<PriorityChanged>().Select(p => (p.Group, p.From, p.To)));
        Assert.Equal((90, 100), (link.A.Machine.GetSnapshot().Groups[0].EffectivePriority, link.A.Machine.GetSnapshot().Groups[1].EffectivePriority));

        link.Apply(link.A, link.A.Machine.SetTrackedHealth("a", true));
        link.Flush();
        link.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal((FailoverState.Master, FailoverState.Backup), States(link.A));
        Assert.Equal((FailoverState.Backup, FailoverState.Master), States(link.B));
    }

    [Fact]
    public void MasterShutsDown_PeerTakesThatGroupAfterSkewTime_TheOtherStays()
    {
        var link = ActiveActive();
        var before = link.B.Actions.Count;

        link.Apply(link.A, link.A.Machine.Shutdown());
        link.Flush();
        link.RunFor(FailoverTimers.SkewTime(100, _interval) + TimeSpan.FromMilliseconds(1));

        Assert.Equal((FailoverState.Master, FailoverState.Master), States(link.B));
        Assert.Equal(["a"], link.B.Actions.Skip(before).OfType<StateChanged>().Select(c => c.Group));
        link.RunFor(TimeSpan.FromSeconds(3));
        Assert.True(link.A.Machine.AllIn(FailoverState.Init));
    }

    [Fact]
    public void AdvertOfAGroupThisNodeDoesNotRun_IsRefusedAsUnknownGroup()
    {
        var clock = new FakeTimeProvider();
        var machine = new FailoverMachine(Node("lb1", 150, 100), new FailoverKeyRing(InMemoryFailoverLink.Key), clock);
        machine.Start();
        var buffer = new byte[AdvertCodec.MaxLength];
        var advert = buffer[..AdvertCodec.Encode(new AdvertPacket("lb2", FailoverState.Master, 200, _interval, 1, 1, default, "c", SentAt: clock.GetUtcNow().ToUnixTimeMilliseconds()),
            new FailoverKeyRing(InMemoryFailoverLink.Key), buffer)];

        var actions = machine.OnDatagram(advert, new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.2"), 7946));

        Assert.Empty(actions.OfType<StateChanged>());
        Assert.Equal(1, machine.GetSnapshot().RejectedPackets["UnknownGroup"]);
        Assert.Equal((FailoverState.Backup, FailoverState.Backup), (machine.StateOf("a"), machine.StateOf("b")));
    }

    [Fact]
    public void TrackedHealthOfAnUnknownGroup_Throws() =>
        Assert.Throws<ArgumentException>(() => new FailoverMachine(Node("lb1", 150, 100), new FailoverKeyRing(InMemoryFailoverLink.Key), new FakeTimeProvider())
            .SetTrackedHealth("c", false));
}

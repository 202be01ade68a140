using System.Net;
using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.Failover;

/// <summary>
/// Two heartbeat paths to the peer lb2 (#23): 192.0.2.2 and 198.18.1.2, each advert sent on both. Master_Down_Interval
/// at priority 100 and 1 s adverts is 3.609 s.
/// </summary>
public class FailoverMachinePathTests : FailoverMachineTestBase
{
    private static readonly IPEndPoint _pathB = new(IPAddress.Parse("198.18.1.2"), 7946);

    private static FailoverOptions TwoPaths(int priority) => FakePeer.Options(priority) with
    {
        Peers = ["192.0.2.2:7946", "198.18.1.2:7946"],
        PeerPaths = [new PeerPathsOptions("lb2", ["192.0.2.2:7946", "198.18.1.2:7946"])],
        PeerNodeIds = ["lb2"],
    };

    /// <summary>The peer's adverts, one a second for <paramref name="seconds"/>, each on the given paths; every action returned.</summary>
    private List<FailoverAction> Adverts(FailoverMachine machine, int seconds, FailoverState state, params IPEndPoint[] paths)
    {
        var actions = new List<FailoverAction>();
        for (var i = 0; i < seconds; i++)
        {
            actions.AddRange(TickThrough(machine, _interval));
            var advert = _peer.Advert(state == FailoverState.Master ? 200 : 100, state);
            foreach (var path in paths)
            {
                actions.AddRange(machine.OnDatagram(advert, path));
            }
        }

        return actions;
    }

    [Fact]
    public void Backup_OnePathSilentTenSeconds_OneWarningNoTransition_ThenOneRestore()
    {
        var machine = Started(TwoPaths(100));
        Adverts(machine, 3, FailoverState.Master, _peer.EndPoint, _pathB);

        var cut = Adverts(machine, 10, FailoverState.Master, _peer.EndPoint);

        var silent = Assert.Single(cut.OfType<FailoverAction.PathChanged>());
        Assert.Equal(("lb2", IPAddress.Parse("198.18.1.2"), true, 1, 2), (silent.PeerNodeId, silent.Address, silent.Silent, silent.Working, silent.Paths));
        Assert.InRange(silent.SilentFor, TimeSpan.FromMilliseconds(3609), TimeSpan.FromMilliseconds(3609) + _interval);
        Assert.Empty(cut.OfType<FailoverAction.StateChanged>());
        Assert.Equal(FailoverState.Backup, machine.State);
        Assert.Equal([false, true], machine.GetSnapshot().Paths.Select(p => p.Silent));

        var healed = Adverts(machine, 2, FailoverState.Master, _peer.EndPoint, _pathB);
        var restored = Assert.Single(healed.OfType<FailoverAction.PathChanged>());
        Assert.Equal((IPAddress.Parse("198.18.1.2"), false, 2), (restored.Address, restored.Silent, restored.Working));
        Assert.Equal(FailoverState.Backup, machine.State);
    }

    [Fact]
    public void Backup_PathAlternatesEveryAdvert_NeverSilentNeverFailover()
    {
        var machine = Started(TwoPaths(100));
        var actions = new List<FailoverAction>();
        for (var i = 0; i < 20; i++)
        {
            actions.AddRange(Adverts(machine, 1, FailoverState.Master, i % 2 == 0 ? _peer.EndPoint : _pathB));
        }

        Assert.Empty(actions.OfType<FailoverAction.PathChanged>());
        Assert.Empty(actions.OfType<FailoverAction.StateChanged>());
    }

    [Fact]
    public void Backup_BothPathsSilent_TakesOverAfterMasterDownInterval_NoPathWarning()
    {
        var machine = Started(TwoPaths(100));
        Adverts(machine, 3, FailoverState.Master, _peer.EndPoint, _pathB);

        var early = TickThrough(machine, FailoverTimers.MasterDownInterval(100, _interval) - _oneTick);
        Assert.Equal(FailoverState.Backup, machine.State);
        var down = TickThrough(machine, _oneTick);

        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Equal(FailoverEvent.MasterDownTimerExpired, Assert.Single(down.OfType<FailoverAction.StateChanged>()).Event);
        Assert.Empty(early.Concat(down).Concat(TickThrough(machine, TimeSpan.FromSeconds(10))).OfType<FailoverAction.PathChanged>());
    }

    [Fact]
    public void Master_HearsTheBackupOnOnePath_WarnsAndStaysMaster()
    {
        var machine = Started(TwoPaths(200));
        TickThrough(machine, TimeSpan.FromSeconds(5)); // takes over: lb2 only advertises as backup
        Assert.Equal(FailoverState.Master, machine.State);
        Adverts(machine, 3, FailoverState.Backup, _peer.EndPoint, _pathB);

        var cut = Adverts(machine, 10, FailoverState.Backup, _pathB);

        Assert.Equal(IPAddress.Parse("192.0.2.2"), Assert.Single(cut.OfType<FailoverAction.PathChanged>()).Address);
        Assert.Empty(cut.OfType<FailoverAction.StateChanged>());
    }

    [Fact]
    public void Check_TickedTwiceAndLate_SaysTheChangeOnce()
    {
        var machine = Started(TwoPaths(100));
        Adverts(machine, 3, FailoverState.Master, _peer.EndPoint, _pathB);
        _clock.Advance(_interval);
        machine.OnDatagram(_peer.Advert(200), _peer.EndPoint);

        _clock.Advance(TimeSpan.FromSeconds(2.7)); // late: path b silent 3.7 s, past the window at once, but the master is not down
        var first = machine.Tick();
        var again = machine.Tick();

        Assert.Single(first.OfType<FailoverAction.PathChanged>());
        Assert.Empty(again);
        Assert.Equal(FailoverState.Backup, machine.State);
    }

    [Fact]
    public void Snapshot_ShowsEachPathsLastAdvert()
    {
        var machine = Started(TwoPaths(100));
        Adverts(machine, 1, FailoverState.Master, _peer.EndPoint, _pathB);
        var heardAt = _clock.GetUtcNow();
        Adverts(machine, 2, FailoverState.Master, _peer.EndPoint);

        var paths = machine.GetSnapshot().Paths;

        Assert.Equal(["192.0.2.2", "198.18.1.2"], paths.Select(p => p.Address));
        Assert.Equal(_clock.GetUtcNow(), paths[0].LastAdvertAt);
        Assert.Equal(heardAt, paths[1].LastAdvertAt);
        Assert.All(paths, p => Assert.Equal("lb2", p.PeerNodeId));
    }

    [Fact]
    public void CopyByTheOtherPath_IsNoRejection()
    {
        var machine = Started(TwoPaths(100));
        Adverts(machine, 5, FailoverState.Master, _peer.EndPoint, _pathB);

        Assert.Empty(machine.GetSnapshot().RejectedPackets);
        Assert.Equal(0, machine.RejectedTotal);
    }
}

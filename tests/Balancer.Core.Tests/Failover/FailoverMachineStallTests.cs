using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

/// <summary>Adverts sent or heard late enough that the peer could take over: reported as stalls.</summary>
public class FailoverMachineStallTests : FailoverMachineTestBase
{
    [Fact]
    public void Tick_MasterAdvertsTwoIntervalsApart_ReportsTheStall()
    {
        var machine = Started(255);
        Assert.DoesNotContain(AdvanceAndTick(machine, _interval), a => a is AdvertStall);

        var actions = AdvanceAndTick(machine, TimeSpan.FromSeconds(2));

        // The backup's Master_Down_Interval is at least 3 intervals; two thirds of it is 2 s.
        Assert.Equal(new AdvertStall(Sent: true, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)), actions.OfType<AdvertStall>().Single());
        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Empty(actions.OfType<SendGratuitousArp>()); // no backup could have taken over yet
    }

    [Fact]
    public void Tick_MasterFrozenPastThreeIntervals_ReannouncesOnResuming()
    {
        var machine = Started(255);
        AdvanceAndTick(machine, _interval);

        var actions = AdvanceAndTick(machine, TimeSpan.FromSeconds(4));

        // A backup may have taken over and drawn the clients with its gratuitous ARP: pull them back at once.
        Assert.Equal(TimeSpan.FromSeconds(4), actions.OfType<AdvertStall>().Single().Gap);
        Assert.Contains(actions.OfType<SendGratuitousArp>(), g => !g.Takeover);
        Assert.Empty(AdvanceAndTick(machine, _interval).OfType<SendGratuitousArp>());
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
}

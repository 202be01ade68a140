using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

public class FailoverMachineReconfigureTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Reconfigure_MasterLowersPriority_AdvertisesTheNewPriorityAtOnce()
    {
        var machine = new FailoverMachine(FakePeer.Options(255), InMemoryFailoverLink.Key, _clock);
        machine.Start();

        var actions = machine.Reconfigure(FakePeer.Options(90));

        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Equal(new PriorityChanged(255, 90, true), actions[0]);
        Assert.Equal(90, actions.OfType<SendAdvert>().Single().Packet.Priority);
        Assert.Equal(90, machine.EffectivePriority);
    }

    [Fact]
    public void Reconfigure_SamePriorityNewHash_ChangesNothingVisible()
    {
        var machine = new FailoverMachine(FakePeer.Options(100), InMemoryFailoverLink.Key, _clock);
        machine.Start();

        Assert.Empty(machine.Reconfigure(FakePeer.Options(100) with { ConfigHash = 42, Preempt = false }));
        Assert.Equal(FailoverState.Backup, machine.State);
    }

    [Fact]
    public void Reconfigure_IdentityOrTimersChange_IsRefusedNamingEachField()
    {
        var machine = new FailoverMachine(FakePeer.Options(100), InMemoryFailoverLink.Key, _clock);
        var changed = FakePeer.Options(100) with { NodeId = "other", AdvertInterval = TimeSpan.FromSeconds(2) };

        Assert.Equal(
            ["failover.nodeId cannot change while running; restart balancer to change it",
             "failover.advertInterval cannot change while running; restart balancer to change it"],
            machine.ReconfigureProblems(changed));
        Assert.Throws<ArgumentException>(() => machine.Reconfigure(changed));
    }
}

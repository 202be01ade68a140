using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.Failover;

/// <summary>The clock, the peer and the helpers every <see cref="FailoverMachine"/> test class shares.</summary>
public abstract class FailoverMachineTestBase
{
    private protected static readonly TimeSpan _oneTick = TimeSpan.FromTicks(1);
    private protected static readonly TimeSpan _interval = TimeSpan.FromSeconds(1);
    private protected readonly FakeTimeProvider _clock = new();
    private protected readonly FakePeer _peer;

    protected FailoverMachineTestBase() => _peer = new FakePeer(_clock);

    internal static string[] Kinds(IEnumerable<FailoverAction> actions) => [.. actions.Select(a => a.GetType().Name)];

    private protected FailoverMachine Machine(int priority) => Machine(FakePeer.Options(priority));

    private protected FailoverMachine Machine(FailoverOptions options) => new(options, InMemoryFailoverLink.Key, _clock);

    private protected FailoverMachine Started(int priority) => Started(FakePeer.Options(priority));

    /// <summary>A started machine that has heard the peer once (as backup), so the peer's session is known.</summary>
    private protected FailoverMachine Started(FailoverOptions options)
    {
        var machine = Machine(options);
        machine.Start();
        Handshake(machine, options);
        return machine;
    }

    /// <summary>
    /// The peer's first advert: a new session, which the machine answers at once with an advert of its own (the
    /// handshake that lets the peer's next adverts echo its epoch, as they then do). Tests of one advert start after it.
    /// </summary>
    private protected void Handshake(FailoverMachine machine, FailoverOptions options)
    {
        var answer = machine.OnDatagram(_peer.Advert(1, FailoverState.Backup, options.ConfigHash), _peer.EndPoint);
        Assert.Equal(machine.State == FailoverState.Init ? [] : ["SendAdvert"], Kinds(answer));
        if (answer.OfType<FailoverAction.SendAdvert>().SingleOrDefault() is { } ours)
        {
            _peer.Echo = ours.Packet.Epoch;
        }
    }

    private protected IReadOnlyList<FailoverAction> AdvanceAndTick(FailoverMachine machine, TimeSpan by)
    {
        _clock.Advance(by);
        return machine.Tick();
    }

    /// <summary>Moves the clock by exactly <paramref name="duration"/>, ticking whenever a timer is due; every action returned.</summary>
    private protected List<FailoverAction> TickThrough(FailoverMachine machine, TimeSpan duration)
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

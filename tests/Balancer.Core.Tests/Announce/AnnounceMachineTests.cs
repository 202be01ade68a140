using Balancer.Core.Announce;

namespace Balancer.Core.Tests.Announce;

/// <summary>The announce decision: rise/fall hysteresis that a timer firing early, late or twice cannot cut short.</summary>
public sealed class AnnounceMachineTests
{
    private static readonly TimeSpan _interval = TimeSpan.FromSeconds(1);
    private static readonly AnnounceHealth _healthy = new(true, [new TrackedPool("web", 2, 2)]);
    private static readonly AnnounceHealth _sick = new(true, [new TrackedPool("web", 0, 2)]);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Observe_StartsWithdrawn_AnnouncesAtTheRiseThHealthyCheck()
    {
        var machine = Machine(rise: 3);
        Assert.Equal(AnnounceState.Withdrawn, machine.State);

        Assert.Empty(Check(machine, _healthy));
        Assert.Empty(Check(machine, _healthy));
        Assert.Equal("healthy for 2 of 3 checks", machine.GetSnapshot().Reason);
        var transition = Assert.Single(Check(machine, _healthy));

        Assert.Equal((AnnounceState.Withdrawn, AnnounceState.Announced, "healthy for 3 checks"), (transition.From, transition.To, transition.Reason));
        Assert.Equal(AnnounceState.Announced, machine.State);
    }

    [Fact]
    public void Observe_Flapping_NeverAnnouncesUntilRiseHealthyChecksInARow()
    {
        var machine = Machine(rise: 3);
        foreach (var health in new[] { _healthy, _healthy, _sick, _healthy, _healthy, _sick, _healthy })
        {
            Assert.Empty(Check(machine, health));
        }

        Assert.Empty(Check(machine, _sick));
        Assert.Equal(AnnounceState.Withdrawn, machine.State);
        Assert.Equal("pool web has no healthy backend (0 of 2)", machine.GetSnapshot().Reason);
    }

    [Fact]
    public void Observe_Announced_WithdrawsAfterFallSickChecksWithTheProblemAsReason()
    {
        var machine = Announced(fall: 2);

        Assert.Empty(Check(machine, _sick));
        Assert.Equal("pool web has no healthy backend (0 of 2) (1 of 2 checks)", machine.GetSnapshot().Reason);
        var transition = Assert.Single(Check(machine, _sick));

        Assert.Equal(AnnounceState.Withdrawn, transition.To);
        Assert.Equal("pool web has no healthy backend (0 of 2)", transition.Reason);
    }

    [Fact]
    public void Observe_OneSickCheckBetweenHealthyOnes_DoesNotWithdrawWithFallTwo()
    {
        var machine = Announced(fall: 2);

        Assert.Empty(Check(machine, _sick));
        Assert.Empty(Check(machine, _healthy));
        Assert.Empty(Check(machine, _sick));

        Assert.Equal(AnnounceState.Announced, machine.State);
    }

    [Fact]
    public void Observe_TimerFiringTwiceAtOnce_CountsOnlyOnceTowardsRise()
    {
        var machine = Machine(rise: 2);
        Assert.Empty(machine.Observe(_healthy));
        Assert.Empty(machine.Observe(_healthy)); // the same instant: a duplicate tick

        _time.Advance(_interval / 4);
        Assert.Empty(machine.Observe(_healthy)); // early
        _time.Advance(_interval / 4);
        Assert.Single(machine.Observe(_healthy)); // half an interval after the first: jitter allowed for
    }

    [Fact]
    public void Observe_EarlyTicks_AnnounceOnlyOnceTheStreakSpansRiseMinusOneIntervals()
    {
        var machine = Machine(rise: 3);
        var ticks = 0;
        while (machine.State == AnnounceState.Withdrawn && ticks < 20)
        {
            machine.Observe(_healthy);
            _time.Advance(_interval * 0.3);
            ticks++;
        }

        // 2 intervals less half an interval = 1.5 s: the tick at 1.5 s (the sixth, at 0.3 s each) announces.
        Assert.Equal(6, ticks);
    }

    [Fact]
    public void Observe_LateTickPastTheAddressLifetime_WithdrawsAndRisesAgain()
    {
        var machine = Announced(rise: 2);

        _time.Advance(TimeSpan.FromSeconds(4)); // a stopped or starved process: the kernel dropped the 3 s addresses
        var transition = Assert.Single(Check(machine, _healthy));

        Assert.Equal(AnnounceState.Withdrawn, transition.To);
        Assert.Contains("no check for 5.0 s, longer than the 3.0 s address lifetime", transition.Reason, StringComparison.Ordinal);
        Assert.Single(Check(machine, _healthy));
        Assert.Equal(AnnounceState.Announced, machine.State);
    }

    [Fact]
    public void Observe_LateTickWithoutAddressLifetime_KeepsTheAnnouncement()
    {
        var machine = Announced(lifetime: TimeSpan.Zero);

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Empty(machine.Observe(_healthy));
        Assert.Equal(AnnounceState.Announced, machine.State);
    }

    [Fact]
    public void Stop_WithdrawsForGood_WhateverTheHealth()
    {
        var machine = Announced();

        var transition = machine.Stop();
        Assert.Null(machine.Stop());
        Assert.Empty(Check(machine, _healthy));

        Assert.Equal((AnnounceState.Announced, AnnounceState.Stopping, "shutting down"), (transition!.From, transition.To, transition.Reason));
        Assert.Equal(AnnounceState.Stopping, machine.State);
        Assert.Equal(2, machine.GetSnapshot().Transitions);
    }

    [Fact]
    public void Reconfigure_LowerRise_CountsTheStreakSoFar()
    {
        var machine = Machine(rise: 5);
        Check(machine, _healthy);
        Check(machine, _healthy);

        machine.Reconfigure(new AnnounceOptions(_interval, 3, 1, TimeSpan.FromSeconds(3)));

        Assert.Single(Check(machine, _healthy));
    }

    [Fact]
    public void GetSnapshot_ListenersDown_SaysSoFirst()
    {
        var machine = Machine(rise: 1);

        Check(machine, new AnnounceHealth(false, [new TrackedPool("web", 0, 1), new TrackedPool("api", 1, 1)]));

        Assert.Equal("the listeners are not serving; pool web has no healthy backend (0 of 1)", machine.GetSnapshot().Reason);
    }

    private AnnounceMachine Machine(int rise = 3, int fall = 1, TimeSpan? lifetime = null) =>
        new(new AnnounceOptions(_interval, rise, fall, lifetime ?? TimeSpan.FromSeconds(3)), _time);

    private AnnounceMachine Announced(int rise = 1, int fall = 1, TimeSpan? lifetime = null)
    {
        var machine = Machine(rise, fall, lifetime);
        while (machine.State != AnnounceState.Announced)
        {
            Check(machine, _healthy);
        }

        return machine;
    }

    /// <summary>One check, then the clock moves on by one interval, as the timer would.</summary>
    private IReadOnlyList<AnnounceTransition> Check(AnnounceMachine machine, AnnounceHealth health)
    {
        var transitions = machine.Observe(health);
        _time.Advance(_interval);
        return transitions;
    }
}

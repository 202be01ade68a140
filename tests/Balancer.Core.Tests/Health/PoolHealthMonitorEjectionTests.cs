using Balancer.Core.Configuration;
using Balancer.Core.Health;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.Health;

/// <summary>Passive ejection's end: by its timer (early, late, twice, stale) or by passing probes.</summary>
public sealed class PoolHealthMonitorEjectionTests
{
    private static readonly TimeSpan TimerSkew = TimeSpan.FromMilliseconds(2);
    private readonly EarlyFiringTimeProvider _time = new();
    private readonly List<HealthTransition> _transitions = [];

    [Fact]
    public void Readmit_TimerFiresEarly_BackendStillComesBackAtDeadline()
    {
        using var pool = CreatePool(probe: "none");
        var b = pool.Snapshot.All[0];
        pool.Health.OnConnectFailure(b, "connection reset");

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _time.FireDue(early: TimerSkew));
        Assert.Equal(BackendHealth.Down, b.Health);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _time.FireDue();

        Assert.Equal(BackendHealth.Up, b.Health);
        Assert.Equal("passive ejection ended after 10s (ejectTime)", b.HealthReason);
        Assert.Same(b, pool.Snapshot.Pick());
    }

    [Fact]
    public void Readmit_TimerFiresLateThenAgain_ReadmitsOnce()
    {
        using var pool = CreatePool(probe: "none");
        var b = pool.Snapshot.All[0];
        pool.Health.OnConnectFailure(b, "connection reset");

        _time.Advance(TimeSpan.FromSeconds(13));
        _time.FireDue();
        _time.FireAllIncludingDisposed();

        Assert.Equal(BackendHealth.Up, b.Health);
        Assert.Equal(2, _transitions.Count);
        Assert.Equal(0, _time.ActiveTimers);
    }

    [Fact]
    public void Readmit_StaleTimerOfEarlierEjection_DoesNotCancelTheNextOne()
    {
        using var pool = CreatePool(probe: "none");
        var b = pool.Snapshot.All[0];
        pool.Health.OnConnectFailure(b, "connection reset");
        _time.Advance(TimeSpan.FromSeconds(10));
        _time.FireDue();
        pool.Health.OnConnectFailure(b, "connection refused");

        _time.Advance(TimeSpan.FromSeconds(1));
        _time.FireAllIncludingDisposed(); // the first ejection's callback, queued late
        Assert.Equal(BackendHealth.Down, b.Health);
        _time.Advance(TimeSpan.FromSeconds(19));
        _time.FireDue(early: TimerSkew);

        Assert.Equal(BackendHealth.Up, b.Health);
    }

    [Fact]
    public void OnProbe_RisePassesAfterPassiveEjection_EndEjectionAtOnce()
    {
        using var pool = CreatePool(probe: "http", rise: 2);
        var b = pool.Snapshot.All[0];
        pool.Health.OnProbe(b, ProbeResult.Pass());
        pool.Health.OnConnectFailure(b, "connection reset");

        _time.Advance(TimeSpan.FromSeconds(1));
        pool.Health.OnProbe(b, ProbeResult.Pass());
        Assert.Equal(BackendHealth.Down, b.Health);
        _time.Advance(TimeSpan.FromSeconds(1));
        pool.Health.OnProbe(b, ProbeResult.Pass());

        Assert.Equal(BackendHealth.Up, b.Health);
        Assert.Equal("web http://b1 UP: passive ejection ended by 2 consecutive successful probes", _transitions[^1].ToString());
        Assert.Equal(0, _time.ActiveTimers);
        _time.Advance(TimeSpan.FromSeconds(10));
        _time.FireAllIncludingDisposed();
        Assert.Equal(3, _transitions.Count);
    }

    [Fact]
    public void OnProbe_PassesBeforeOrInterruptedAfterEjection_DoNotEndIt()
    {
        using var pool = CreatePool(probe: "http", rise: 2, fall: 3);
        var b = pool.Snapshot.All[0];
        pool.Health.OnProbe(b, ProbeResult.Pass());
        pool.Health.OnProbe(b, ProbeResult.Pass());
        pool.Health.OnConnectFailure(b, "connection reset");

        pool.Health.OnProbe(b, ProbeResult.Pass());
        pool.Health.OnProbe(b, ProbeResult.Fail("status 500"));
        pool.Health.OnProbe(b, ProbeResult.Pass());
        Assert.Equal(BackendHealth.Down, b.Health);
        pool.Health.OnProbe(b, ProbeResult.Pass());

        Assert.Equal(BackendHealth.Up, b.Health);
    }

    [Fact]
    public void OnProbe_ProbesKeepFailing_EjectTimeEndsOnlyThePassivePart()
    {
        using var pool = CreatePool(probe: "http", rise: 2, fall: 1);
        var b = pool.Snapshot.All[0];
        pool.Health.OnProbe(b, ProbeResult.Pass());
        pool.Health.OnConnectFailure(b, "connection refused");
        pool.Health.OnProbe(b, ProbeResult.Fail("connection refused"));

        _time.Advance(TimeSpan.FromSeconds(10));
        _time.FireDue();

        Assert.Equal(BackendHealth.Down, b.Health);
        pool.Health.OnProbe(b, ProbeResult.Pass());
        pool.Health.OnProbe(b, ProbeResult.Pass());
        Assert.Equal(BackendHealth.Up, b.Health);
        Assert.Equal("2 consecutive successful probes", b.HealthReason);
    }

    private Pool CreatePool(string probe, int rise = 2, int fall = 3)
    {
        var config = new PoolConfig
        {
            Health = new HealthConfig { Probe = probe, Rise = rise, Fall = fall },
            Passive = new PassiveHealthConfig { EjectTime = TimeSpan.FromSeconds(10) },
            Backends = [new BackendConfig { Address = "http://b1" }],
        };
        var pool = new Pool("web", config, BalancingAlgorithms.Create("round-robin", _time, new Random(1)), _time);
        pool.Health.Changed += _transitions.Add;
        return pool;
    }
}

using Balancer.Core.Configuration;
using Balancer.Core.Health;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.Health;

public sealed class PoolHealthMonitorTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<HealthTransition> _transitions = [];

    [Fact]
    public void OnProbe_NewBackend_NoTrafficUntilFirstProbePasses()
    {
        using var pool = CreatePool(probe: "http");
        var b = pool.Snapshot.All[0];

        Assert.Equal(BackendHealth.Unknown, b.Health);
        Assert.Null(pool.Snapshot.Pick());

        pool.Health.OnProbe(b, ProbeResult.Pass("status 200"));

        Assert.Equal(BackendHealth.Up, b.Health);
        Assert.Same(b, pool.Snapshot.Pick());
        Assert.Equal("web http://b1 UP: first probe passed (status 200)", _transitions.Single().ToString());
    }

    [Fact]
    public void OnProbe_FallFailures_MarksDownOnceWithReason()
    {
        using var pool = CreatePool(probe: "http", rise: 2, fall: 3);
        var b = pool.Snapshot.All[0];
        pool.Health.OnProbe(b, ProbeResult.Pass());

        pool.Health.OnProbe(b, ProbeResult.Fail("connection refused"));
        pool.Health.OnProbe(b, ProbeResult.Fail("connection refused"));
        Assert.Equal(BackendHealth.Up, b.Health);
        pool.Health.OnProbe(b, ProbeResult.Fail("connection refused"));
        pool.Health.OnProbe(b, ProbeResult.Fail("connection refused"));

        Assert.Equal(BackendHealth.Down, b.Health);
        Assert.Equal("web http://b1 DOWN: 3 consecutive failed probes, last: connection refused", _transitions[^1].ToString());
        Assert.Equal(2, _transitions.Count);
    }

    [Fact]
    public void OnProbe_InterruptedStreak_DoesNotFlap()
    {
        using var pool = CreatePool(probe: "http", rise: 2, fall: 3);
        var b = pool.Snapshot.All[0];
        pool.Health.OnProbe(b, ProbeResult.Pass());

        foreach (var ok in new[] { false, false, true, false, false, true })
        {
            pool.Health.OnProbe(b, ok ? ProbeResult.Pass() : ProbeResult.Fail("status 500"));
        }

        Assert.Equal(BackendHealth.Up, b.Health);
        Assert.Single(_transitions);
    }

    [Fact]
    public void OnProbe_RiseSuccessesAfterDown_BackUp()
    {
        using var pool = CreatePool(probe: "tcp", rise: 2, fall: 1);
        var b = pool.Snapshot.All[0];
        pool.Health.OnProbe(b, ProbeResult.Fail("connection refused"));
        Assert.Equal(BackendHealth.Down, b.Health);

        pool.Health.OnProbe(b, ProbeResult.Pass());
        Assert.Equal(BackendHealth.Down, b.Health);
        pool.Health.OnProbe(b, ProbeResult.Pass());

        Assert.Equal(BackendHealth.Up, b.Health);
        Assert.Equal("2 consecutive successful probes", _transitions[^1].Reason);
    }

    [Fact]
    public void OnConnectFailure_NoProbe_EjectedThenReadmittedAfterBackoffThatDoubles()
    {
        using var pool = CreatePool(probe: "none", ejectTime: TimeSpan.FromSeconds(10));
        var b = pool.Snapshot.All[0];
        Assert.Equal(BackendHealth.Up, b.Health);

        pool.Health.OnConnectFailure(b, "connection refused");
        Assert.Equal(BackendHealth.Down, b.Health);
        Assert.Equal("passive: connection refused (ejected for 10s)", b.HealthReason);
        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.Equal(BackendHealth.Down, b.Health);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(BackendHealth.Up, b.Health);

        pool.Health.OnConnectFailure(b, "connection reset");
        Assert.Equal("passive: connection reset (ejected for 20s)", b.HealthReason);
        _time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(BackendHealth.Down, b.Health);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(BackendHealth.Up, b.Health);
    }

    [Fact]
    public void OnConnectFailure_WhileAlreadyEjected_DoesNotExtend()
    {
        using var pool = CreatePool(probe: "none", ejectTime: TimeSpan.FromSeconds(10));
        var b = pool.Snapshot.All[0];

        pool.Health.OnConnectFailure(b, "connection refused");
        _time.Advance(TimeSpan.FromSeconds(5));
        pool.Health.OnConnectFailure(b, "connection refused");
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(BackendHealth.Up, b.Health);
    }

    [Fact]
    public void OnConnectFailure_WithProbes_ProbesDecideAfterEjection()
    {
        using var pool = CreatePool(probe: "http", rise: 2, fall: 2, ejectTime: TimeSpan.FromSeconds(5));
        var b = pool.Snapshot.All[0];
        pool.Health.OnProbe(b, ProbeResult.Pass());
        pool.Health.OnConnectFailure(b, "connection refused");
        pool.Health.OnProbe(b, ProbeResult.Fail("connection refused"));
        pool.Health.OnProbe(b, ProbeResult.Fail("connection refused"));

        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(BackendHealth.Down, b.Health);
        pool.Health.OnProbe(b, ProbeResult.Pass());
        pool.Health.OnProbe(b, ProbeResult.Pass());

        Assert.Equal(BackendHealth.Up, b.Health);
    }

    [Fact]
    public void OnResponse_Consecutive5xx_EjectsAtThreshold()
    {
        using var pool = CreatePool(probe: "none", consecutive5xx: 3);
        var b = pool.Snapshot.All[0];

        pool.Health.OnResponse(b, 500);
        pool.Health.OnResponse(b, 502);
        pool.Health.OnResponse(b, 200);
        pool.Health.OnResponse(b, 500);
        pool.Health.OnResponse(b, 500);
        Assert.Equal(BackendHealth.Up, b.Health);
        pool.Health.OnResponse(b, 503);

        Assert.Equal(BackendHealth.Down, b.Health);
        Assert.StartsWith("passive: 3 consecutive 5xx responses, last: 503", b.HealthReason);
    }

    [Fact]
    public void Snapshot_BelowPanicThreshold_SendsToAll()
    {
        using var pool = CreatePool(probe: "tcp", fall: 1, backends: 4, panicThreshold: 50);
        var panics = new List<bool>();
        pool.Health.PanicChanged += (_, p) => panics.Add(p);
        foreach (var b in pool.Snapshot.All)
        {
            pool.Health.OnProbe(b, ProbeResult.Pass());
        }

        Assert.False(pool.Snapshot.Panic);
        pool.Health.OnProbe(pool.Snapshot.All[0], ProbeResult.Fail("x"));
        pool.Health.OnProbe(pool.Snapshot.All[1], ProbeResult.Fail("x"));
        Assert.False(pool.Snapshot.Panic);
        Assert.Equal(2, pool.Snapshot.Available.Length);
        pool.Health.OnProbe(pool.Snapshot.All[2], ProbeResult.Fail("x"));

        Assert.True(pool.Snapshot.Panic);
        Assert.Equal(4, pool.Snapshot.Available.Length);
        pool.Health.OnProbe(pool.Snapshot.All[2], ProbeResult.Pass());
        pool.Health.OnProbe(pool.Snapshot.All[2], ProbeResult.Pass());
        Assert.False(pool.Snapshot.Panic);
        Assert.Equal([true, false], panics);
    }

    private Pool CreatePool(string probe, int rise = 2, int fall = 3, TimeSpan? ejectTime = null, int consecutive5xx = 0, int backends = 1, int panicThreshold = 0)
    {
        var config = new PoolConfig
        {
            Health = new HealthConfig { Probe = probe, Rise = rise, Fall = fall },
            Passive = new PassiveHealthConfig { EjectTime = ejectTime ?? TimeSpan.FromSeconds(10), Consecutive5xx = consecutive5xx },
            PanicThreshold = panicThreshold,
            Backends = [.. Enumerable.Range(1, backends).Select(i => new BackendConfig { Address = $"http://b{i}" })],
        };
        var pool = new Pool("web", config, BalancingAlgorithms.Create("round-robin", _time, new Random(1)), _time);
        pool.Health.Changed += _transitions.Add;
        return pool;
    }
}

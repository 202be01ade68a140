using Balancer.Core.Configuration;
using Balancer.Core.Health;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.Model;

public sealed class PoolApplyTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Apply_UnchangedBackend_KeepsStateAndCounters()
    {
        using var pool = CreatePool(Config("tcp", ("http://a", 1), ("http://b", 1)));
        var a = pool.Find("http://a")!;
        pool.Health.OnProbe(a, ProbeResult.Fail("connection refused"));
        a.OnStarted();

        var (added, removed) = pool.Apply(Config("tcp", ("http://a", 5), ("http://b", 1), ("http://c", 1)), Algorithm);

        Assert.Same(a, pool.Find("http://a"));
        Assert.Equal(BackendHealth.Down, a.Health);
        Assert.Equal(1, a.InFlight);
        Assert.Equal(5, a.Weight);
        Assert.Equal(["http://c"], added.Select(b => b.Address));
        Assert.Empty(removed);
        Assert.Equal(BackendHealth.Unknown, pool.Find("http://c")!.Health);
    }

    [Fact]
    public void Apply_RemovedBackend_DrainsThenSweptWhenIdle()
    {
        using var pool = CreatePool(Config("none", ("http://a", 1), ("http://b", 1)));
        var b = pool.Find("http://b")!;
        b.OnStarted();

        var (_, removed) = pool.Apply(Config("none", ("http://a", 1)), Algorithm);

        Assert.Same(b, Assert.Single(removed));
        Assert.True(b.Removed);
        Assert.DoesNotContain(b, pool.Snapshot.Available);
        Assert.Empty(pool.Sweep(TimeSpan.FromSeconds(30)));
        b.OnFinished(failed: false);
        Assert.Same(b, Assert.Single(pool.Sweep(TimeSpan.FromSeconds(30))));
        Assert.Null(pool.Find("http://b"));
    }

    [Fact]
    public void Sweep_DrainTimeoutPassed_ForgetsBusyBackend()
    {
        using var pool = CreatePool(Config("none", ("http://a", 1), ("http://b", 1)));
        pool.Find("http://b")!.OnStarted();
        pool.Apply(Config("none", ("http://a", 1)), Algorithm);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(pool.Sweep(TimeSpan.FromSeconds(30)));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(pool.Sweep(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Apply_ReaddedWhileDraining_ServesAgainAdminDrainKept()
    {
        using var pool = CreatePool(Config("none", ("http://a", 1), ("http://b", 1)));
        var a = pool.Find("http://a")!;
        var b = pool.Find("http://b")!;
        pool.SetDraining(a, true);
        b.OnStarted();
        pool.Apply(Config("none", ("http://a", 1)), Algorithm);

        pool.Apply(Config("none", ("http://a", 1), ("http://b", 1)), Algorithm);

        Assert.False(b.Removed);
        Assert.True(a.Draining);
        Assert.Equal([b], pool.Snapshot.Available);
    }

    [Fact]
    public void Apply_RemovedThenReaddedBeforeSweep_ComesBackAsANewBackendWould()
    {
        // Found by the chaos run: the reload that removed b stopped its probes, and one that put b back before the
        // sweep forgot it did not start them again, so b's health froze; an admin drain survived or not by timing.
        using var pool = CreatePool(Config("tcp", ("http://a", 1), ("http://b", 1)));
        var b = pool.Find("http://b")!;
        pool.Health.OnProbe(b, ProbeResult.Pass());
        pool.SetDraining(b, true);
        b.OnStarted(); // in flight: not swept yet
        pool.Apply(Config("tcp", ("http://a", 1)), Algorithm);

        var (added, _) = pool.Apply(Config("tcp", ("http://a", 1), ("http://b", 1)), Algorithm);

        Assert.Same(b, Assert.Single(added)); // so its probes start again
        Assert.False(b.Removed);
        Assert.False(b.Draining);
        Assert.Equal(BackendHealth.Unknown, b.Health);
        pool.Health.OnProbe(b, ProbeResult.Pass());
        Assert.Equal("first probe passed (ok)", b.HealthReason);
        Assert.Contains(b, pool.Snapshot.Available);
    }

    [Fact]
    public void Apply_AddedBackendWithSlowStart_RampsFromFirstUp()
    {
        using var pool = CreatePool(Config("tcp", ("http://a", 1)) with { SlowStart = TimeSpan.FromSeconds(10) });
        pool.Health.OnProbe(pool.Find("http://a")!, ProbeResult.Pass());
        Assert.Equal([1.0], pool.Snapshot.Weights);

        pool.Apply(Config("tcp", ("http://a", 1), ("http://c", 1)) with { SlowStart = TimeSpan.FromSeconds(10) }, Algorithm);
        pool.Health.OnProbe(pool.Find("http://c")!, ProbeResult.Pass());

        Assert.Equal([1.0, 0.1], pool.Snapshot.Weights);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([1.0, 1.0], pool.Snapshot.Weights);
    }

    [Fact]
    public void Apply_ProbeTurnedOff_DownBackendsComeBack()
    {
        using var pool = CreatePool(Config("tcp", ("http://a", 1)));
        pool.Health.OnProbe(pool.Find("http://a")!, ProbeResult.Fail("connection refused"));

        pool.Apply(Config("none", ("http://a", 1)), Algorithm);

        Assert.Equal(BackendHealth.Up, pool.Find("http://a")!.Health);
    }

    private IBalancingAlgorithm Algorithm() => BalancingAlgorithms.Create("round-robin", _time, new Random(1));

    private Pool CreatePool(PoolConfig config) => new("web", config, Algorithm(), _time);

    private static PoolConfig Config(string probe, params (string Address, int Weight)[] backends) => new()
    {
        Health = new HealthConfig { Probe = probe, Rise = 1, Fall = 1 },
        Backends = [.. backends.Select(b => new BackendConfig { Address = b.Address, Weight = b.Weight })],
    };
}

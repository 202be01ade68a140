using Balancer.Core.Configuration;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.Model;

public sealed class PoolTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void SetHealth_DownThenUp_RampsWeightFromTenthToFull()
    {
        using var pool = NewPool(TimeSpan.FromSeconds(10), ("a", 1), ("b", 4));
        var b = pool.Find("b")!;
        pool.SetHealth(pool.Find("a")!, BackendHealth.Up, "probe");
        pool.SetHealth(b, BackendHealth.Up, "probe");
        pool.SetHealth(b, BackendHealth.Down, "probe");

        pool.SetHealth(b, BackendHealth.Up, "probe");
        Assert.Equal(4 * 0.1, WeightOf(pool, b), 6);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(4 * 0.55, WeightOf(pool, b), 6);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(4, WeightOf(pool, b), 6);
        Assert.Null(b.SlowStartSince);
    }

    [Fact]
    public void SetHealth_UnknownToUp_NoSlowStart()
    {
        using var pool = NewPool(TimeSpan.FromSeconds(10), ("a", 2));
        var a = pool.Find("a")!;

        pool.SetHealth(a, BackendHealth.Up, "probe");

        Assert.Equal(2, WeightOf(pool, a));
    }

    [Fact]
    public void Snapshot_MixedStates_OnlyUpUndrainedWeightedAvailable()
    {
        using var pool = NewPool(TimeSpan.Zero, ("up", 1), ("down", 1), ("unknown", 1), ("draining", 1), ("zero", 0));
        foreach (var name in new[] { "up", "down", "draining", "zero" })
        {
            pool.SetHealth(pool.Find(name)!, BackendHealth.Up, "probe");
        }

        pool.SetHealth(pool.Find("down")!, BackendHealth.Down, "probe");
        pool.SetDraining(pool.Find("draining")!, draining: true);

        Assert.Equal(["up"], pool.Snapshot.Available.Select(b => b.Address));
        Assert.Equal(5, pool.Snapshot.All.Length);
        Assert.Equal(1, pool.Snapshot.TotalWeight);
    }

    [Fact]
    public void Snapshot_NothingUp_PickReturnsNull()
    {
        using var pool = NewPool(TimeSpan.Zero, ("a", 1));

        Assert.Null(pool.Snapshot.Pick());
    }

    private static double WeightOf(Pool pool, BackendState backend)
    {
        var snapshot = pool.Snapshot;
        return snapshot.Weights[Array.IndexOf(snapshot.Available, backend)];
    }

    private Pool NewPool(TimeSpan slowStart, params (string Address, int Weight)[] backends)
    {
        var config = new PoolConfig
        {
            SlowStart = slowStart,
            Health = new HealthConfig { Probe = ProbeKinds.Tcp },
            Backends = [.. backends.Select(b => new BackendConfig { Address = b.Address, Weight = b.Weight })],
        };
        return new Pool("p", config, Snapshots.Algorithm(BalancingAlgorithms.RoundRobin, _time), _time);
    }
}

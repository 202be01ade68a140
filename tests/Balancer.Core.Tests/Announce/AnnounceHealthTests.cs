using Balancer.Core.Announce;
using Balancer.Core.Configuration;
using Balancer.Core.Model;

namespace Balancer.Core.Tests.Announce;

public sealed class AnnounceHealthTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Check_TrackedPools_CountsBackendsThatAreUp()
    {
        using var pools = Pools(("web", 3, 0), ("api", 1, 0));
        Up(pools, "web", 0, 2);
        Up(pools, "api", 0);

        var health = AnnounceHealth.Check(true, ["web", "api"], pools);

        Assert.True(health.Healthy);
        Assert.Equal([new TrackedPool("web", 2, 3), new TrackedPool("api", 1, 1)], health.Pools);
        Assert.Null(health.Problem);
    }

    [Fact]
    public void Check_PoolInPanicWithEveryBackendDown_IsNotHealthy()
    {
        // Panic mode sends to every probed backend when too few are up: all down, the pool is "available" but cannot serve.
        using var pools = Pools(("web", 2, 50));
        var pool = pools.Get("web")!;
        foreach (var backend in pool.Snapshot.All)
        {
            pool.SetHealth(backend, BackendHealth.Down, "probe failed");
        }

        Assert.True(pool.Snapshot.Panic);
        var health = AnnounceHealth.Check(true, ["web"], pools);

        Assert.False(health.Healthy);
        Assert.Equal("pool web has no healthy backend (0 of 2)", health.Problem);
    }

    [Fact]
    public void Check_UnknownPoolOrListenersDown_IsNotHealthy()
    {
        using var pools = Pools(("web", 1, 0));
        Up(pools, "web", 0);

        Assert.Equal("pool gone has no healthy backend (0 of 0)", AnnounceHealth.Check(true, ["gone"], pools).Problem);
        Assert.Equal("the listeners are not serving", AnnounceHealth.Check(false, ["web"], pools).Problem);
        Assert.True(AnnounceHealth.Check(true, [], pools).Healthy);
    }

    private PoolRegistry Pools(params (string Name, int Backends, int Panic)[] pools)
    {
        var registry = new PoolRegistry(_time, new Random(1));
        registry.Load(new BalancerConfig
        {
            Pools = pools.ToDictionary(p => p.Name, p => new PoolConfig
            {
                PanicThreshold = p.Panic,
                Health = new HealthConfig { Probe = "tcp" },
                Backends = [.. Enumerable.Range(0, p.Backends).Select(i => new BackendConfig { Address = $"http://10.0.0.{i + 1}:80" })],
            }),
        });
        return registry;
    }

    private static void Up(PoolRegistry pools, string name, params int[] indexes)
    {
        var pool = pools.Get(name)!;
        foreach (var i in indexes)
        {
            pool.SetHealth(pool.Snapshot.All[i], BackendHealth.Up, "probe passed");
        }
    }
}

using Balancer.Core.Affinity;
using Balancer.Core.Configuration;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.LoadBalancing;

public sealed class RequestPickerTests
{
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [MemberData(nameof(Snapshots.AllNames), MemberType = typeof(Snapshots))]
    public void PickAndStart_CookieNamesUsableBackend_FollowedWithEveryAlgorithm(string algorithm)
    {
        var (pool, backends) = Pool(algorithm);
        var snapshot = pool.Snapshot;

        for (var i = 0; i < 10; i++)
        {
            var backend = Pick(pool, Cookie(snapshot, backends[2]), out var outcome);
            Assert.Same(backends[2], backend);
            Assert.Equal(AffinityOutcome.Followed, outcome);
        }

        Assert.Equal(10, backends[2].AffineRequests);
        Assert.Equal(0, pool.Counters.AffinityReplaced);
    }

    [Fact]
    public void PickAndStart_NamedBackendDraining_StillFollowedButNoNewSessions()
    {
        var (pool, backends) = Pool(BalancingAlgorithms.RoundRobin);
        pool.SetDraining(backends[0], true);
        var snapshot = pool.Snapshot;

        Assert.Same(backends[0], Pick(pool, Cookie(snapshot, backends[0]), out var outcome));
        Assert.Equal(AffinityOutcome.Followed, outcome);
        for (var i = 0; i < 10; i++)
        {
            Assert.NotSame(backends[0], Pick(pool, default, out outcome));
            Assert.Equal(AffinityOutcome.Assigned, outcome);
        }
    }

    [Fact]
    public void PickAndStart_NamedBackendDownRemovedFullOrFailed_RePickedAndCounted()
    {
        var (pool, backends) = Pool(BalancingAlgorithms.RoundRobin, maxRequestsPerBackend: 1);
        var named = Cookie(pool.Snapshot, backends[0]);
        pool.SetHealth(backends[0], BackendHealth.Down, "test");

        Assert.Equal(AffinityStatus.Unavailable, Cookie(pool.Snapshot, backends[0]).Status);
        Assert.NotSame(backends[0], Pick(pool, Cookie(pool.Snapshot, backends[0]), out var outcome, maxPerBackend: 1));
        Assert.Equal(AffinityOutcome.Replaced, outcome);

        pool.SetHealth(backends[0], BackendHealth.Up, "test");
        backends[0].OnStarted(); // at maxRequestsPerBackend
        Assert.NotSame(backends[0], Pick(pool, named, out outcome, maxPerBackend: 1));
        Assert.Equal(AffinityOutcome.Replaced, outcome);
        backends[0].OnFinished(false);

        Assert.NotSame(backends[0], Pick(pool, named, out outcome, avoid: backends[0]));
        Assert.Equal(AffinityOutcome.Replaced, outcome);
        Assert.Equal(3, pool.Counters.AffinityReplaced);
    }

    [Fact]
    public void PickAndStart_ForgedCookie_TreatedAsAbsent()
    {
        var (pool, _) = Pool(BalancingAlgorithms.RoundRobin);
        var status = pool.Snapshot.Affinity!.Resolve("AAAAAAAAAAA", out var named);

        Assert.NotNull(Pick(pool, new PickRequest(status, named, null), out var outcome));
        Assert.Equal(AffinityOutcome.Assigned, outcome);
        Assert.Equal(0, pool.Counters.AffinityReplaced);
    }

    [Fact]
    public void PickAndStart_HashPoolWithoutKey_RoundRobinCounted()
    {
        var (pool, backends) = Pool(BalancingAlgorithms.Hash);

        var picked = Enumerable.Range(0, 6).Select(i => Pick(pool, default, out _)).ToHashSet();

        Assert.Equal(backends.Length, picked.Count);
        Assert.Equal(6, pool.Counters.HashFallbacks);
        var key = StableHash.Hash("user-1");
        Assert.Same(Pick(pool, new PickRequest(AffinityStatus.None, null, key), out _), Pick(pool, new PickRequest(AffinityStatus.None, null, key), out _));
        Assert.Equal(6, pool.Counters.HashFallbacks);
    }

    private static PickRequest Cookie(PoolSnapshot snapshot, BackendState backend)
    {
        var status = snapshot.Affinity!.Resolve(Value(snapshot, backend), out var named);
        return new PickRequest(status, named, null);
    }

    private static string Value(PoolSnapshot snapshot, BackendState backend) => snapshot.Affinity!.SetCookie(backend)!.Split(';')[0].Split('=')[1];

    private static BackendState? Pick(Pool pool, PickRequest request, out AffinityOutcome outcome, int maxPerBackend = 0, BackendState? avoid = null)
    {
        var backend = RequestPicker.PickAndStart(pool.Snapshot, pool.Counters, request, maxPerBackend, avoid, 0, out outcome);
        backend?.OnFinished(false);
        return backend;
    }

    private (Pool Pool, BackendState[] Backends) Pool(string algorithm, int maxRequestsPerBackend = 0)
    {
        var config = new PoolConfig
        {
            Algorithm = algorithm,
            Affinity = new AffinityConfig(),
            MaxRequestsPerBackend = maxRequestsPerBackend,
            Backends = [.. Enumerable.Range(1, 3).Select(i => new BackendConfig { Address = $"http://10.0.0.{i}:80" })],
        };
        var pool = new Pool("web", config, Snapshots.Algorithm(algorithm, _time), _time);
        return (pool, pool.Snapshot.All);
    }
}

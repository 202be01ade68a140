using Balancer.Core.Configuration;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;

namespace Balancer.Core.Tests.Model;

/// <summary>Runtime weights, as HAProxy's <c>set server weight</c>: kept until a reload changes that backend.</summary>
public sealed class PoolWeightOverrideTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void SetWeightOverride_TakesEffectInTheSnapshot()
    {
        using var pool = CreatePool(("http://a", 1), ("http://b", 1));
        var a = pool.Find("http://a")!;

        var before = pool.SetWeightOverride(a, 3);

        Assert.Equal(1, before);
        Assert.Equal(3, a.Weight);
        Assert.Equal(3, a.WeightOverride);
        Assert.Equal(1, a.ConfiguredWeight);
        Assert.Equal(3, pool.Snapshot.Weights[Array.IndexOf(pool.Snapshot.Available, a)]);
    }

    [Fact]
    public void SetWeightOverride_Zero_TakesTheBackendOutOfRotation()
    {
        using var pool = CreatePool(("http://a", 1), ("http://b", 1));
        var a = pool.Find("http://a")!;

        pool.SetWeightOverride(a, 0);

        Assert.DoesNotContain(a, pool.Snapshot.Available);
    }

    [Fact]
    public void SetWeightOverride_ToTheConfiguredWeightOrNull_IsNoOverride()
    {
        using var pool = CreatePool(("http://a", 2));
        var a = pool.Find("http://a")!;
        pool.SetWeightOverride(a, 5);

        pool.SetWeightOverride(a, 2);
        var afterSame = a.WeightOverride;
        pool.SetWeightOverride(a, 5);
        pool.SetWeightOverride(a, null);

        Assert.Null(afterSame);
        Assert.Null(a.WeightOverride);
        Assert.Equal(2, a.Weight);
    }

    [Fact]
    public void Apply_BackendUnchanged_KeepsTheOverride()
    {
        using var pool = CreatePool(("http://a", 1), ("http://b", 1));
        var a = pool.Find("http://a")!;
        pool.SetWeightOverride(a, 7);

        pool.Apply(Config(("http://a", 1), ("http://b", 4), ("http://c", 1)), Algorithm);

        Assert.Equal(7, a.Weight);
        Assert.Equal(7, a.WeightOverride);
        Assert.Equal(4, pool.Find("http://b")!.Weight);
    }

    [Fact]
    public void Apply_BackendWeightChanged_DropsTheOverride()
    {
        using var pool = CreatePool(("http://a", 1));
        var a = pool.Find("http://a")!;
        pool.SetWeightOverride(a, 7);

        pool.Apply(Config(("http://a", 3)), Algorithm);

        Assert.Null(a.WeightOverride);
        Assert.Equal(3, a.Weight);
        Assert.Equal(3, a.ConfiguredWeight);
    }

    [Fact]
    public void Apply_BackendRemovedThenAddedBack_StartsFromItsConfiguredWeight()
    {
        using var pool = CreatePool(("http://a", 1), ("http://b", 1));
        var a = pool.Find("http://a")!;
        pool.SetWeightOverride(a, 7);

        pool.Apply(Config(("http://b", 1)), Algorithm);
        pool.Apply(Config(("http://a", 1), ("http://b", 1)), Algorithm);

        Assert.Null(pool.Find("http://a")!.WeightOverride);
        Assert.Equal(1, pool.Find("http://a")!.Weight);
    }

    private IBalancingAlgorithm Algorithm() => BalancingAlgorithms.Create("round-robin", _time, new Random(1));

    private Pool CreatePool(params (string Address, int Weight)[] backends) => new("web", Config(backends), Algorithm(), _time);

    private static PoolConfig Config(params (string Address, int Weight)[] backends) => new()
    {
        Health = new HealthConfig { Probe = "none" },
        Backends = [.. backends.Select(b => new BackendConfig { Address = b.Address, Weight = b.Weight })],
    };
}

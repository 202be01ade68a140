using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.LoadBalancing;

/// <summary>Properties every algorithm must have: registered, weighted, allocation-free.</summary>
public sealed class BalancingAlgorithmsTests
{
    private const int Picks = 10_000;
    private const double Tolerance = 0.015;
    private readonly FakeTimeProvider _time = new();

    public static TheoryData<string> Names => Snapshots.AllNames();

    [Theory]
    [MemberData(nameof(Names))]
    public void Create_KnownName_HasThatName(string name)
    {
        Assert.Equal(name, Snapshots.Algorithm(name, _time).Name);
        Assert.True(BalancingAlgorithms.IsKnown(name));
    }

    [Fact]
    public void Create_UnknownName_Throws()
    {
        Assert.False(BalancingAlgorithms.IsKnown("fastest"));
        Assert.Throws<ArgumentException>(() => Snapshots.Algorithm("fastest", _time));
    }

    /// <summary>Requests that stay open (connections held) must end up spread by weight.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void Pick_Weights123HeldRequests_SharesFollowWeights(string name)
    {
        var backends = Snapshots.Backends(_time, 1, 2, 3);
        var snapshot = Snapshots.Of(Snapshots.Algorithm(name, _time), backends);

        for (var i = 0; i < Picks; i++)
        {
            snapshot.Pick()!.OnStarted();
        }

        AssertShares(backends, [1 / 6.0, 2 / 6.0, 3 / 6.0]);
    }

    /// <summary>
    /// A client sending one request at a time leaves every count at zero; weights must still hold.
    /// (Not the two-choices algorithms: at equal load they prefer the heavier candidate by design.)
    /// </summary>
    [Theory]
    [InlineData(BalancingAlgorithms.RoundRobin)]
    [InlineData(BalancingAlgorithms.LeastConnections)]
    [InlineData(BalancingAlgorithms.Random)]
    public void Pick_Weights123OneAtATime_SharesFollowWeights(string name)
    {
        var backends = Snapshots.Backends(_time, 1, 2, 3);
        var snapshot = Snapshots.Of(Snapshots.Algorithm(name, _time), backends);

        for (var i = 0; i < Picks; i++)
        {
            var b = snapshot.Pick()!;
            b.OnStarted();
            b.OnFinished(failed: false);
        }

        AssertShares(backends, [1 / 6.0, 2 / 6.0, 3 / 6.0]);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Pick_AfterWarmUp_AllocatesNothing(string name)
    {
        var backends = Snapshots.Backends(_time, 1, 2, 3, 1, 1);
        foreach (var b in backends)
        {
            b.Latency.Observe(TimeSpan.FromMilliseconds(5 + b.Weight));
        }

        var snapshot = Snapshots.Of(Snapshots.Algorithm(name, _time), backends);
        for (var i = 0; i < 1_000; i++)
        {
            snapshot.Pick();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Picks; i++)
        {
            snapshot.Pick();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Pick_OneBackend_ReturnsIt(string name)
    {
        var backends = Snapshots.Backends(_time, 3);
        var snapshot = Snapshots.Of(Snapshots.Algorithm(name, _time), backends);

        Assert.Same(backends[0], snapshot.Pick());
    }

    private static void AssertShares(BackendState[] backends, double[] expected)
    {
        var total = backends.Sum(b => (double)b.Requests);
        for (var i = 0; i < backends.Length; i++)
        {
            var share = backends[i].Requests / total;
            Assert.True(Math.Abs(share - expected[i]) <= Tolerance, $"backend {i}: share {share:F4}, expected {expected[i]:F4} ± {Tolerance}");
        }
    }
}

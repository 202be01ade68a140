using Balancer.Core.LoadBalancing;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.LoadBalancing;

public sealed class RoundRobinTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Pick_Weights511_FollowsNginxSmoothOrder()
    {
        var backends = Snapshots.Backends(_time, 5, 1, 1);
        var snapshot = Snapshots.Of(new RoundRobin(), backends);

        var order = string.Concat(Enumerable.Range(0, 14).Select(_ => (char)('a' + Array.IndexOf(backends, snapshot.Pick()))));

        Assert.Equal("aabacaaaabacaa", order);
    }

    [Fact]
    public void Pick_EqualWeights_Rotates()
    {
        var backends = Snapshots.Backends(_time, 1, 1, 1);
        var snapshot = Snapshots.Of(new RoundRobin(), backends);

        var order = Enumerable.Range(0, 6).Select(_ => Array.IndexOf(backends, snapshot.Pick())).ToArray();

        Assert.Equal([0, 1, 2, 0, 1, 2], order);
    }
}

using Balancer.Core.LoadBalancing;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.LoadBalancing;

public sealed class LeastConnectionsTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Pick_OneBackendHoldsLongRequests_SteersAway()
    {
        var backends = Snapshots.Backends(_time, 1, 1, 1);
        var snapshot = Snapshots.Of(new LeastConnections(), backends);
        for (var i = 0; i < 5; i++)
        {
            backends[0].OnStarted();
        }

        // The other two catch up to five each before the busy one gets anything.
        for (var i = 0; i < 10; i++)
        {
            snapshot.Pick()!.OnStarted();
        }

        Assert.Equal(5, backends[0].Requests);
        Assert.Equal(5, backends[1].InFlight);
        Assert.Equal(5, backends[2].InFlight);
    }

    [Fact]
    public void Pick_WeightedBackendHoldsRequests_ComparesPerUnitOfWeight()
    {
        var backends = Snapshots.Backends(_time, 4, 1);
        var snapshot = Snapshots.Of(new LeastConnections(), backends);
        for (var i = 0; i < 3; i++)
        {
            backends[0].OnStarted();
        }

        backends[1].OnStarted();

        // 3 / 4 in flight per unit of weight beats 1 / 1.
        Assert.Same(backends[0], snapshot.Pick());
    }

    [Fact]
    public void Pick_EqualIdleBackends_ShareEvenly()
    {
        var backends = Snapshots.Backends(_time, 1, 1, 1);
        var snapshot = Snapshots.Of(new LeastConnections(), backends);

        for (var i = 0; i < 3_000; i++)
        {
            var b = snapshot.Pick()!;
            b.OnStarted();
            b.OnFinished(failed: false);
        }

        Assert.All(backends, b => Assert.Equal(1_000, b.Requests));
    }
}

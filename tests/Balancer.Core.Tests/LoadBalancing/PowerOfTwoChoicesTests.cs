using Balancer.Core.LoadBalancing;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.LoadBalancing;

public sealed class PowerOfTwoChoicesTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Pick_OneBackendHoldsLongRequests_NeverChoosesIt()
    {
        var backends = Snapshots.Backends(_time, 1, 1, 1);
        var snapshot = Snapshots.Of(new PowerOfTwoChoices(new Random(7)), backends);
        for (var i = 0; i < 10; i++)
        {
            backends[0].OnStarted();
        }

        // Candidates are distinct, so the busy one always meets an idle rival and loses.
        for (var i = 0; i < 1_000; i++)
        {
            var b = snapshot.Pick()!;
            b.OnStarted();
            b.OnFinished(failed: false);
        }

        Assert.Equal(10, backends[0].Requests);
        Assert.Equal(1_000, backends[1].Requests + backends[2].Requests);
    }
}

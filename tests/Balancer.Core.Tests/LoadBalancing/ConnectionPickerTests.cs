using Balancer.Core.Configuration;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.LoadBalancing;

public sealed class ConnectionPickerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void PickAndStart_BackendAtLimit_SkippedUntilAllFullThenNull()
    {
        using var pool = CreatePool("a:1", "b:1");

        var first = ConnectionPicker.PickAndStart(pool.Snapshot, maxPerBackend: 1, avoid: null);
        var second = ConnectionPicker.PickAndStart(pool.Snapshot, maxPerBackend: 1, avoid: null);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotSame(first, second);
        Assert.Null(ConnectionPicker.PickAndStart(pool.Snapshot, maxPerBackend: 1, avoid: null));
        first.OnFinished(failed: false);
        Assert.Same(first, ConnectionPicker.PickAndStart(pool.Snapshot, maxPerBackend: 1, avoid: null));
    }

    [Fact]
    public void PickAndStart_AvoidedBackend_NeverChosen()
    {
        using var pool = CreatePool("a:1", "b:1");
        var avoid = pool.Snapshot.All[0];

        for (var i = 0; i < 10; i++)
        {
            Assert.Same(pool.Snapshot.All[1], ConnectionPicker.PickAndStart(pool.Snapshot, maxPerBackend: 0, avoid));
        }

        Assert.Equal((0, 10, 10L), (avoid.InFlight, pool.Snapshot.All[1].InFlight, pool.Snapshot.All[1].Requests));
    }

    [Fact]
    public void TryStart_ConcurrentStarts_NeverOvershootTheLimit()
    {
        var backend = new BackendState("db", "a:1", 1, _time, TimeSpan.FromSeconds(10));

        var started = 0;
        Parallel.For(0, 1000, _ =>
        {
            if (backend.TryStart(7))
            {
                Interlocked.Increment(ref started);
            }
        });

        Assert.Equal((7, 7, 7L), (started, backend.InFlight, backend.Requests));
    }

    private Pool CreatePool(params string[] addresses)
    {
        var config = new PoolConfig { Backends = [.. addresses.Select(a => new BackendConfig { Address = a })] };
        return new Pool("db", config, BalancingAlgorithms.Create(BalancingAlgorithms.RoundRobin, _time, new Random(1)), _time);
    }
}

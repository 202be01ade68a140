using Balancer.Core.Configuration;
using Balancer.Core.Health;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Http;
using Yarp.ReverseProxy.Model;

namespace Balancer.Tests.Http;

/// <summary>Which backend a request gets while the core and YARP disagree for a moment (during a reload).</summary>
public sealed class BackendSelectionTests
{
    [Theory]
    [InlineData(BalancingAlgorithms.LeastConnections)]
    [InlineData(BalancingAlgorithms.PowerOfTwo)]
    [InlineData(BalancingAlgorithms.RoundRobin)]
    public void PickAndStart_BackendYarpDoesNotKnowYet_AnotherKnownOneServes(string algorithm)
    {
        // Found by the chaos run: a reload's new backend passed its first probe before the listener's YARP config
        // had it; least-connections kept choosing it (0 in flight), every spin found no destination, and requests
        // got "503 no healthy backend" with three healthy backends in the pool.
        var time = new FakeTimeProvider();
        var config = new PoolConfig
        {
            Algorithm = algorithm,
            Health = new HealthConfig { Probe = "http" },
            Backends = [new BackendConfig { Address = "http://known" }, new BackendConfig { Address = "http://new" }],
        };
        using var pool = new Pool("web", config, BalancingAlgorithms.Create(algorithm, time, new Random(1)), time);
        foreach (var b in pool.Snapshot.All)
        {
            pool.Health.OnProbe(b, ProbeResult.Pass());
        }

        var cluster = new ClusterState("web");
        cluster.Destinations.TryAdd("http://known", new DestinationState("http://known"));
        pool.Find("http://known")!.OnStarted(); // busy: a load-aware algorithm prefers the idle new one

        for (var i = 0; i < 4; i++)
        {
            var (backend, destination) = BackendSelectionMiddleware.PickAndStart(pool.Snapshot, cluster, 0, null);
            Assert.Equal("http://known", backend?.Address);
            Assert.NotNull(destination);
            backend!.OnFinished(failed: false);
        }
    }
}

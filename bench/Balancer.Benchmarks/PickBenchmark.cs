using Balancer.Core.Configuration;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using BenchmarkDotNet.Attributes;

namespace Balancer.Benchmarks;

/// <summary>One pick per algorithm and pool size; backends weigh 1–3 and hold that many requests.</summary>
[MemoryDiagnoser]
public class PickBenchmark
{
    private Pool _pool = null!;
    private PoolSnapshot _snapshot = null!;

    [Params(3, 30, 300)]
    public int Backends { get; set; }

    [ParamsSource(nameof(Algorithms))]
    public string Algorithm { get; set; } = BalancingAlgorithms.RoundRobin;

    public static IEnumerable<string> Algorithms => BalancingAlgorithms.Names;

    [GlobalSetup]
    public void Setup()
    {
        var config = new PoolConfig
        {
            Algorithm = Algorithm,
            Backends = [.. Enumerable.Range(0, Backends).Select(i => new BackendConfig { Address = $"10.0.0.{i}:80", Weight = 1 + (i % 3) })],
        };
        _pool = new Pool("bench", config, BalancingAlgorithms.Create(Algorithm, TimeProvider.System, Random.Shared), TimeProvider.System);
        _snapshot = _pool.Snapshot;
        foreach (var b in _snapshot.Available)
        {
            // Some load and latency, so the load-aware algorithms compare real numbers.
            b.Latency.Observe(TimeSpan.FromMilliseconds(5 + (b.Weight * 3)));
            for (var i = 0; i < b.Weight; i++)
            {
                b.OnStarted();
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark]
    public BackendState? Pick() => _snapshot.Pick();
}

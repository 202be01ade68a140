using Balancer.Core.Configuration;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using BenchmarkDotNet.Attributes;

namespace Balancer.Benchmarks;

/// <summary>
/// A <c>hash</c> pool's pick of a keyed request (#21): the Maglev lookup alone and with bounded loads, over keys that
/// spread across the table; backends weigh 1–3 and hold that many requests, as in <see cref="PickBenchmark"/>.
/// </summary>
[MemoryDiagnoser]
public class HashPickBenchmark
{
    private const int KeyMask = 1023;
    private readonly ulong[] _keys = new ulong[KeyMask + 1];
    private Pool _pool = null!;
    private PoolSnapshot _snapshot = null!;
    private int _next;
    private int _inFlight;

    [Params(3, 30, 300)]
    public int Backends { get; set; }

    /// <summary>0 = plain consistent hashing; 1.25 = bounded loads, HAProxy's hash-balance-factor 125.</summary>
    [Params(0, 1.25)]
    public double BalanceFactor { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var config = new PoolConfig
        {
            Algorithm = BalancingAlgorithms.Hash,
            HashBalanceFactor = BalanceFactor,
            Backends = [.. Enumerable.Range(0, Backends).Select(i => new BackendConfig { Address = $"http://10.0.{i / 250}.{i % 250}:80", Weight = 1 + (i % 3) })],
        };
        _pool = new Pool("bench", config, BalancingAlgorithms.Create(BalancingAlgorithms.Hash, TimeProvider.System, Random.Shared), TimeProvider.System);
        _snapshot = _pool.Snapshot;
        foreach (var b in _snapshot.Available)
        {
            for (var i = 0; i < b.Weight; i++)
            {
                b.OnStarted();
                _inFlight++;
            }
        }

        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i] = StableHash.Hash($"user-{i}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _pool.Dispose();

    [Benchmark]
    public BackendState? PickByHash() => _snapshot.PickByHash(_keys[_next++ & KeyMask], BalanceFactor, _inFlight);
}

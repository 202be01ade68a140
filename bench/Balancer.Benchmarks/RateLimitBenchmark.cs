using System.Threading.RateLimiting;
using Balancer.Core.Configuration;
using Balancer.Core.LoadBalancing;
using Balancer.Core.RateLimiting;
using BenchmarkDotNet.Attributes;

namespace Balancer.Benchmarks;

/// <summary>
/// A route rate limit's decision per request (#21): Balancer's <see cref="RateLimitTable"/> against
/// System.Threading.RateLimiting's <c>PartitionedRateLimiter</c> of token buckets, the first choice, keyed the
/// same way, for one client and for 10,000 clients taking turns; the limit is too high to refuse anything.
/// </summary>
[MemoryDiagnoser]
public class RateLimitBenchmark
{
    private const int Limit = 1_000_000_000;
    private ulong[] _keys = [];
    private RateLimitTable _table = null!;
    private PartitionedRateLimiter<ulong> _partitioned = null!;
    private int _next;

    [Params(1, 10_000)]
    public int Clients { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _keys = [.. Enumerable.Range(0, Clients).Select(i => StableHash.Hash($"198.18.{i / 256}.{i % 256}"))];
        _table = new RateLimitTable(new RateLimitConfig { RequestsPerSecond = Limit }, TimeProvider.System);
        _partitioned = PartitionedRateLimiter.Create<ulong, ulong>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Limit,
            TokensPerPeriod = Limit,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        }));
    }

    [GlobalCleanup]
    public void Cleanup() => _partitioned.Dispose();

    [Benchmark(Baseline = true)]
    public bool Table() => _table.TryAcquire(NextKey(), out _);

    [Benchmark]
    public bool Partitioned()
    {
        using var lease = _partitioned.AttemptAcquire(NextKey());
        return lease.IsAcquired;
    }

    private ulong NextKey()
    {
        var i = _next + 1;
        _next = i == _keys.Length ? 0 : i;
        return _keys[_next];
    }
}

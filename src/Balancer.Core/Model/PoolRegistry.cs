using System.Collections.Frozen;
using Balancer.Core.Configuration;
using Balancer.Core.LoadBalancing;

namespace Balancer.Core.Model;

/// <summary>
/// Every pool of the running config, looked up by name on the hot path through one immutable
/// dictionary that a config change replaces whole.
/// </summary>
public sealed class PoolRegistry : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Random _random;
    private FrozenDictionary<string, Pool> _pools = FrozenDictionary<string, Pool>.Empty;

    /// <summary>Creates an empty registry using <paramref name="time"/> and <paramref name="random"/> for every pool.</summary>
    public PoolRegistry(TimeProvider time, Random random)
    {
        _time = time;
        _random = random;
    }

    /// <summary>The pools by name.</summary>
    public IReadOnlyDictionary<string, Pool> Pools => Volatile.Read(ref _pools);

    /// <summary>Finds a pool; null when the running config has none of that name.</summary>
    public Pool? Get(string name) => Volatile.Read(ref _pools).GetValueOrDefault(name);

    /// <summary>Builds pools for a whole config, replacing the current ones (first load).</summary>
    public void Load(BalancerConfig config)
    {
        var pools = new Dictionary<string, Pool>(StringComparer.Ordinal);
        foreach (var (name, pool) in config.Pools)
        {
            pools[name] = new Pool(name, pool, BalancingAlgorithms.Create(pool.Algorithm, _time, _random), _time);
        }

        var old = Interlocked.Exchange(ref _pools, pools.ToFrozenDictionary(StringComparer.Ordinal));
        foreach (var pool in old.Values)
        {
            pool.Dispose();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var pool in Volatile.Read(ref _pools).Values)
        {
            pool.Dispose();
        }
    }
}

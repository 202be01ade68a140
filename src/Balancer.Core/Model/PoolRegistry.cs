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

    /// <summary>
    /// Applies a reloaded config: existing pools apply their diff, new pools are created, and
    /// pools no longer configured stay (still serving requests already routed to them) until
    /// <see cref="Retire"/> is called once nothing routes to them any more.
    /// </summary>
    public PoolRegistryChanges Apply(BalancerConfig config)
    {
        var current = Volatile.Read(ref _pools);
        var next = new Dictionary<string, Pool>(StringComparer.Ordinal);
        var changes = new PoolRegistryChanges();
        foreach (var (name, poolConfig) in config.Pools)
        {
            if (current.TryGetValue(name, out var pool))
            {
                var (added, removed) = pool.Apply(poolConfig, () => BalancingAlgorithms.Create(poolConfig.Algorithm, _time, _random));
                changes.AddedBackends.AddRange(added.Select(b => (pool, b)));
                changes.RemovedBackends.AddRange(removed.Select(b => (pool, b)));
            }
            else
            {
                pool = new Pool(name, poolConfig, BalancingAlgorithms.Create(poolConfig.Algorithm, _time, _random), _time);
                changes.AddedPools.Add(pool);
            }

            next[name] = pool;
        }

        foreach (var (name, pool) in current)
        {
            if (!next.ContainsKey(name))
            {
                changes.RemovedPools.Add(pool);
                next[name] = pool;
            }
        }

        Volatile.Write(ref _pools, next.ToFrozenDictionary(StringComparer.Ordinal));
        return changes;
    }

    /// <summary>Drops pools a reload removed, once no route or listener uses them.</summary>
    public void Retire(IEnumerable<Pool> pools)
    {
        var retired = pools.ToList();
        var next = Volatile.Read(ref _pools).Where(p => !retired.Contains(p.Value)).ToFrozenDictionary(StringComparer.Ordinal);
        Volatile.Write(ref _pools, next);
        foreach (var pool in retired)
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

using System.Collections.Concurrent;
using Balancer.Core.Model;

namespace Balancer.Http.Http1;

/// <summary>
/// One listener's connection pools, one per backend, found by the backend's state object. A timer closes idle
/// connections past their timeout and forgets the pools of backends a reload removed (the backend alone, or its
/// whole pool); disposing closes them all.
/// </summary>
internal sealed class Http1Pools : IDisposable
{
    private static readonly TimeSpan s_sweepInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<BackendState, Http1ConnectionPool?> _pools = new(ReferenceEqualityComparer.Instance);
    private readonly Func<BackendState, Http1ConnectionPool?> _create;
    private readonly ITimer _sweeper;
    private readonly PoolRegistry _registry;
    private volatile bool _disposed;

    public Http1Pools(TimeProvider time, PoolRegistry registry)
    {
        _registry = registry;
        _create = backend => Http1ConnectionPool.Create(backend, time);
        _sweeper = time.CreateTimer(static state => ((Http1Pools)state!).Sweep(), this, s_sweepInterval, s_sweepInterval);
    }

    /// <summary>The backend's pool; null when the lean forwarder cannot serve it (see <see cref="Http1ConnectionPool.Create"/>).</summary>
    public Http1ConnectionPool? Get(BackendState backend)
    {
        if (_pools.TryGetValue(backend, out var pool))
        {
            return pool;
        }

        pool = _pools.GetOrAdd(backend, _create);
        if (_disposed)
        {
            pool?.Close();
        }

        return pool;
    }

    /// <summary>Closes stale idle connections, and all of a removed backend's.</summary>
    public void Sweep()
    {
        foreach (var (backend, pool) in _pools)
        {
            if (backend.Removed || _registry.Get(backend.Pool) is not { } owner || Array.IndexOf(owner.Snapshot.All, backend) < 0)
            {
                _pools.TryRemove(backend, out _);
                pool?.Close();
            }
            else
            {
                pool?.Sweep(all: false);
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _sweeper.Dispose();
        foreach (var pool in _pools.Values)
        {
            pool?.Close();
        }
    }
}

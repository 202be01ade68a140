namespace Balancer.Core.Model;

/// <summary>What <see cref="PoolRegistry.Apply"/> changed, for the executable to start or stop probes and drains.</summary>
public sealed class PoolRegistryChanges
{
    /// <summary>Pools created by the reload.</summary>
    public List<Pool> AddedPools { get; } = [];

    /// <summary>Pools the reload removed; still registered until retired.</summary>
    public List<Pool> RemovedPools { get; } = [];

    /// <summary>Backends added to existing pools.</summary>
    public List<(Pool Pool, BackendState Backend)> AddedBackends { get; } = [];

    /// <summary>Backends removed from existing pools; draining until swept.</summary>
    public List<(Pool Pool, BackendState Backend)> RemovedBackends { get; } = [];
}

using Balancer.Core.LoadBalancing;

namespace Balancer.Core.Model;

/// <summary>
/// An immutable view of a pool that requests read without locks: the backends that may take
/// new traffic now, their effective weights, and the algorithm with its prepared data.
/// A health, drain, weight or config change builds a new snapshot and swaps one reference.
/// </summary>
public sealed class PoolSnapshot
{
    internal PoolSnapshot(IBalancingAlgorithm algorithm, BackendState[] all, BackendState[] available, double[] weights)
    {
        Algorithm = algorithm;
        All = all;
        Available = available;
        Weights = weights;
        AlgorithmData = available.Length == 0 ? null : algorithm.Prepare(available, weights);
        for (var i = 0; i < weights.Length; i++)
        {
            TotalWeight += weights[i];
        }
    }

    /// <summary>The algorithm that picks from this snapshot.</summary>
    public IBalancingAlgorithm Algorithm { get; }

    /// <summary>Every backend of the pool, including those down or draining.</summary>
    public BackendState[] All { get; }

    /// <summary>Backends eligible for new traffic: up, not draining, weight above zero.</summary>
    public BackendState[] Available { get; }

    /// <summary>Effective weights (slow start applied), parallel to <see cref="Available"/>.</summary>
    public double[] Weights { get; }

    /// <summary>Sum of <see cref="Weights"/>.</summary>
    public double TotalWeight { get; }

    /// <summary>True when too few backends are healthy and <see cref="Available"/> holds them all (panic mode).</summary>
    public bool Panic { get; init; }

    /// <summary>The affinity cookie codec of this snapshot's backends; null when the pool has no <c>affinity</c>.</summary>
    public Affinity.AffinityTable? Affinity { get; init; }

    /// <summary>What the <c>hash</c> algorithm hashes (the pool's <c>hashKey</c>, parsed once per snapshot).</summary>
    public Configuration.RequestKey HashKey { get; init; } = Configuration.RequestKey.ClientIp;

    /// <summary>The pool's <c>hashBalanceFactor</c>: 0 turns bounded loads off.</summary>
    public double HashBalanceFactor { get; init; }

    /// <summary>What <see cref="IBalancingAlgorithm.Prepare"/> built for this snapshot.</summary>
    public object? AlgorithmData { get; }

    /// <summary>True when the pool's algorithm is <c>hash</c>: requests should pick with <see cref="PickByHash"/>.</summary>
    public bool HashesKeys => Algorithm is ConsistentHash;

    /// <summary>
    /// Chooses the backend of a request key's hash (<see cref="StableHash"/>) under bounded loads; null when none is
    /// available or the algorithm is not <c>hash</c>. <paramref name="inFlight"/> counts the pool's other requests.
    /// </summary>
    public BackendState? PickByHash(ulong hash, double balanceFactor, int inFlight, BackendState? avoid = null) =>
        Available.Length == 0 || Algorithm is not ConsistentHash ? null : ConsistentHash.PickByKey(this, hash, balanceFactor, inFlight, avoid);

    /// <summary>Chooses a backend for one request or connection; null when none is available.</summary>
    public BackendState? Pick() => Available.Length == 0 ? null : Algorithm.Pick(this);
}

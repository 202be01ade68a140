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

    /// <summary>What <see cref="IBalancingAlgorithm.Prepare"/> built for this snapshot.</summary>
    public object? AlgorithmData { get; }

    /// <summary>Chooses a backend for one request or connection; null when none is available.</summary>
    public BackendState? Pick() => Available.Length == 0 ? null : Algorithm.Pick(this);
}

using Balancer.Core.Model;

namespace Balancer.Core.LoadBalancing;

/// <summary>
/// A way of choosing a backend. One instance per pool; <see cref="Prepare"/> runs on the control
/// path whenever the pool's available set or weights change, <see cref="Pick"/> on every request
/// and must neither allocate nor take a lock shared by all requests.
/// </summary>
public interface IBalancingAlgorithm
{
    /// <summary>The name config uses, e.g. <c>round-robin</c>.</summary>
    string Name { get; }

    /// <summary>Builds data for one snapshot (e.g. a schedule); the result is handed back in <see cref="PoolSnapshot.AlgorithmData"/>.</summary>
    object? Prepare(BackendState[] available, double[] weights);

    /// <summary>Chooses among <see cref="PoolSnapshot.Available"/>, which is never empty here.</summary>
    BackendState Pick(PoolSnapshot snapshot);
}

using Balancer.Core.Model;

namespace Balancer.Core.LoadBalancing;

/// <summary>
/// Weighted random: each request goes to a backend with probability weight / total weight.
/// Stateless between requests, so several balancers sharing backends do not synchronise into
/// the same order (which round-robin instances can).
/// </summary>
internal sealed class WeightedRandom(Random random) : IBalancingAlgorithm
{
    public string Name => BalancingAlgorithms.Random;

    public object? Prepare(BackendState[] available, double[] weights) => new WeightedDraw(weights);

    public BackendState Pick(PoolSnapshot snapshot) =>
        snapshot.Available[((WeightedDraw)snapshot.AlgorithmData!).Draw(random.NextDouble())];
}

using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;

namespace Balancer.Core.Tests.TestDoubles;

/// <summary>Builds backends and snapshots directly, without a pool, for algorithm tests.</summary>
internal static class Snapshots
{
    public static readonly TimeSpan DecayTime = TimeSpan.FromSeconds(10);

    /// <summary>Up backends named b0, b1, … with the given weights.</summary>
    public static BackendState[] Backends(TimeProvider time, params int[] weights) =>
        [.. weights.Select((w, i) => new BackendState("p", $"b{i}", w, time, DecayTime) { Health = BackendHealth.Up })];

    /// <summary>A snapshot in which every backend is available at its configured weight.</summary>
    public static PoolSnapshot Of(IBalancingAlgorithm algorithm, params BackendState[] backends) =>
        new(algorithm, backends, backends, [.. backends.Select(b => (double)b.Weight)]);

    /// <summary>The named algorithm with a seeded random source.</summary>
    public static IBalancingAlgorithm Algorithm(string name, TimeProvider time, int seed = 42) =>
        BalancingAlgorithms.Create(name, time, new Random(seed));

    /// <summary>Every algorithm name, as xunit theory data.</summary>
    public static TheoryData<string> AllNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in BalancingAlgorithms.Names)
        {
            data.Add(name);
        }

        return data;
    }
}

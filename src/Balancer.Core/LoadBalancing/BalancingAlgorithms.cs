namespace Balancer.Core.LoadBalancing;

/// <summary>The algorithm names config accepts, and the factory that makes one instance per pool.</summary>
public static class BalancingAlgorithms
{
    /// <summary>Smooth weighted round-robin.</summary>
    public const string RoundRobin = "round-robin";

    /// <summary>Every name config accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [RoundRobin];

    /// <summary>True when <paramref name="name"/> names an algorithm.</summary>
    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>Creates the algorithm <paramref name="name"/> for one pool.</summary>
    public static IBalancingAlgorithm Create(string name, TimeProvider time, Random random) => name switch
    {
        RoundRobin => new RoundRobin(),
        _ => throw new ArgumentException($"unknown algorithm '{name}'", nameof(name)),
    };
}

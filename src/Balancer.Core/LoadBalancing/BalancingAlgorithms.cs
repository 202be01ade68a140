namespace Balancer.Core.LoadBalancing;

/// <summary>The algorithm names config accepts, and the factory that makes one instance per pool.</summary>
public static class BalancingAlgorithms
{
    /// <summary>Smooth weighted round-robin.</summary>
    public const string RoundRobin = "round-robin";

    /// <summary>Fewest requests in flight per unit of weight.</summary>
    public const string LeastConnections = "least-connections";

    /// <summary>Peak-EWMA latency × load, by power of two choices.</summary>
    public const string ResponseTime = "response-time";

    /// <summary>Weighted random.</summary>
    public const string Random = "random";

    /// <summary>Power of two choices on in-flight per unit of weight.</summary>
    public const string PowerOfTwo = "power-of-two";

    /// <summary>Consistent hashing of a request key over a Maglev table.</summary>
    public const string Hash = "hash";

    /// <summary>Every name config accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [RoundRobin, LeastConnections, ResponseTime, Random, PowerOfTwo, Hash];

    /// <summary>True when <paramref name="name"/> names an algorithm.</summary>
    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>
    /// Creates the algorithm <paramref name="name"/> for one pool. <paramref name="random"/> must be
    /// thread-safe in production (<see cref="System.Random.Shared"/>); tests pass a seeded one.
    /// </summary>
    public static IBalancingAlgorithm Create(string name, TimeProvider time, System.Random random) => name switch
    {
        RoundRobin => new RoundRobin(),
        LeastConnections => new LeastConnections(),
        ResponseTime => new ResponseTime(random),
        Random => new WeightedRandom(random),
        PowerOfTwo => new PowerOfTwoChoices(random),
        Hash => new ConsistentHash(),
        _ => throw new ArgumentException($"unknown algorithm '{name}'", nameof(name)),
    };
}

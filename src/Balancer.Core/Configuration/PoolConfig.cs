namespace Balancer.Core.Configuration;

/// <summary>A pool of interchangeable backends and how to choose among them.</summary>
public sealed record PoolConfig
{
    /// <summary>Balancing algorithm name (see <see cref="LoadBalancing.BalancingAlgorithms"/>). Default <c>round-robin</c>.</summary>
    public string Algorithm { get; init; } = "round-robin";

    /// <summary>Ramp-up time of a new or recovered backend's weight; zero (the default) disables slow start.</summary>
    public TimeSpan SlowStart { get; init; }

    /// <summary>Time constant of the response-time algorithm's moving average. Default 10 s.</summary>
    public TimeSpan DecayTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Active health checking; null means the default TCP/HTTP probe is not configured (<c>none</c>).</summary>
    public HealthConfig? Health { get; init; }

    /// <summary>Passive health checking on live traffic; defaults apply when absent.</summary>
    public PassiveHealthConfig Passive { get; init; } = new();

    /// <summary>
    /// Below this percentage of healthy backends the pool sends traffic to all its backends
    /// rather than overload the few left (Envoy's panic threshold). 0 (the default) turns it off.
    /// </summary>
    public int PanicThreshold { get; init; }

    /// <summary>Total tries (first attempt included) for a request that could not reach a backend. Default 2.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>The pool's backends, identified by address.</summary>
    public IReadOnlyList<BackendConfig> Backends { get; init; } = [];
}

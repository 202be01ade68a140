namespace Balancer.Core.Configuration;

/// <summary>One side of a route's weighted split (<c>routes[].pools[]</c>).</summary>
public sealed record WeightedPoolConfig
{
    /// <summary>The pool.</summary>
    public string Pool { get; init; } = "";

    /// <summary>Its share relative to the other sides' weights; 0 sends it nothing. Default 1.</summary>
    public int Weight { get; init; } = 1;
}

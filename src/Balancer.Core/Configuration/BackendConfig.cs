namespace Balancer.Core.Configuration;

/// <summary>One backend server of a pool.</summary>
public sealed record BackendConfig
{
    /// <summary>An absolute <c>http://</c>/<c>https://</c> URI (HTTP pools) or <c>host:port</c> (TCP pools).</summary>
    public string Address { get; init; } = "";

    /// <summary>Relative share of traffic, 0–256; 0 takes no new traffic. Default 1.</summary>
    public int Weight { get; init; } = 1;
}

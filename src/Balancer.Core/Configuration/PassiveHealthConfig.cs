namespace Balancer.Core.Configuration;

/// <summary>
/// Passive health checking (outlier detection) on live traffic. A connection refused, reset or
/// timed out always ejects the backend at once; consecutive 5xx responses do when configured.
/// </summary>
public sealed record PassiveHealthConfig
{
    /// <summary>Consecutive 5xx responses that eject a backend; 0 (the default) never ejects on status.</summary>
    public int Consecutive5xx { get; init; }

    /// <summary>First ejection's length; each repeat offence doubles it. Default 10 s.</summary>
    public TimeSpan EjectTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest ejection. Default 5 min.</summary>
    public TimeSpan MaxEjectTime { get; init; } = TimeSpan.FromMinutes(5);
}

namespace Balancer.Core.Model;

/// <summary>What health checking currently says of a backend.</summary>
public enum BackendHealth
{
    /// <summary>Not probed yet: takes no traffic until its first probe passes.</summary>
    Unknown,

    /// <summary>Serving: eligible for new traffic.</summary>
    Up,

    /// <summary>Ejected by active probes or passive checks: no new traffic.</summary>
    Down,
}

namespace Balancer.Core.Announce;

/// <summary>Whether the node carries the announced virtual IPs.</summary>
public enum AnnounceState
{
    /// <summary>The addresses are off the interface: starting, unhealthy, or not yet healthy for <c>rise</c> checks.</summary>
    Withdrawn,

    /// <summary>The addresses are on the interface, so the routing daemon announces them.</summary>
    Announced,

    /// <summary>Shutting down: withdrawn for good, still serving while the router converges, then draining.</summary>
    Stopping,
}

namespace Balancer.Http.Forwarding;

/// <summary>Where the <c>Host</c> of a forwarded request comes from.</summary>
internal enum HostMode
{
    /// <summary>The client's, as HAProxy, Envoy and Traefik pass it (name-based backends depend on it); the default.</summary>
    Keep,

    /// <summary>The backend's address (its authority in the pool's config), as YARP does by default.</summary>
    Backend,

    /// <summary>A value the route names.</summary>
    Fixed,
}

/// <summary>A route's <c>Host</c> rule (issue #19 item 5; issue #22's <c>host</c> transform sets the other modes).</summary>
internal sealed record HostRule(HostMode Mode, string? Value = null)
{
    /// <summary>The default: the client's Host.</summary>
    public static readonly HostRule Keep = new(HostMode.Keep);

    /// <summary>The Host to send for <paramref name="request"/>; null for the backend's authority (also when the client sent none, as HTTP/1.0 may).</summary>
    public string? For(HttpRequest request) => Mode switch
    {
        HostMode.Keep => request.Host.Value is { Length: > 0 } host ? host : null,
        HostMode.Fixed => Value,
        _ => null,
    };
}

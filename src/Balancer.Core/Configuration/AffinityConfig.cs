namespace Balancer.Core.Configuration;

/// <summary>
/// Cookie session affinity of an <c>http</c> pool (HAProxy's <c>cookie … insert</c>, NGINX Plus <c>sticky cookie</c>):
/// the first response sets a cookie naming the backend opaquely, later requests carrying it go back to that backend.
/// </summary>
public sealed record AffinityConfig
{
    /// <summary>The cookie's name. Default <c>BLB</c>.</summary>
    public string Cookie { get; init; } = "BLB";

    /// <summary>The cookie's lifetime (<c>Max-Age</c>); null (the default) makes it a session cookie.</summary>
    public TimeSpan? Ttl { get; init; }

    /// <summary>Send the cookie with <c>Secure</c> (HTTPS only). Default false.</summary>
    public bool Secure { get; init; }

    /// <summary>The cookie's <c>SameSite</c>: <c>lax</c> (the default), <c>strict</c> or <c>none</c> (needs <see cref="Secure"/>).</summary>
    public string SameSite { get; init; } = "lax";

    /// <summary>Every accepted <see cref="SameSite"/> value.</summary>
    public static readonly string[] SameSiteValues = ["lax", "strict", "none"];
}

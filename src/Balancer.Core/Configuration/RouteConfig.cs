namespace Balancer.Core.Configuration;

/// <summary>
/// An HTTP route: requests whose host, path, method, headers and query match are sent to <see cref="Pool"/> (or split
/// over <see cref="Pools"/>), or answered by <see cref="Redirect"/> or <see cref="Respond"/> without a backend.
/// Routes are tried in order; the first that matches wins.
/// </summary>
public sealed record RouteConfig
{
    /// <summary>Host names to match (<c>*</c> any, <c>*.example.com</c> a wildcard). Default: any host.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = ["*"];

    /// <summary>Path pattern in ASP.NET route syntax, e.g. <c>/api/{**rest}</c>. Default <c>/{**rest}</c>.</summary>
    public string Path { get; init; } = "/{**rest}";

    /// <summary>Request methods to match (case-sensitive, as RFC 9110 §9.1 says). Default: any method.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];

    /// <summary>Header conditions, all of which must hold. Default none.</summary>
    public IReadOnlyList<FieldMatchConfig> Headers { get; init; } = [];

    /// <summary>Query parameter conditions, all of which must hold. Default none.</summary>
    public IReadOnlyList<FieldMatchConfig> Query { get; init; } = [];

    /// <summary>Name of the pool that serves the route; "" when the route splits, redirects or responds.</summary>
    public string Pool { get; init; } = "";

    /// <summary>A weighted split over several pools (a canary), in place of <see cref="Pool"/>. Default none.</summary>
    public IReadOnlyList<WeightedPoolConfig> Pools { get; init; } = [];

    /// <summary>Rewrites of the path, headers and Host of forwarded requests and their responses; null is none.</summary>
    public TransformsConfig? Transforms { get; init; }

    /// <summary>Answers every matching request with a redirect; null (the default) forwards.</summary>
    public RedirectConfig? Redirect { get; init; }

    /// <summary>Answers every matching request with a fixed response; null (the default) forwards.</summary>
    public RespondConfig? Respond { get; init; }

    /// <summary>Sends a copy of a share of the requests to a shadow pool; null (the default) mirrors nothing.</summary>
    public MirrorConfig? Mirror { get; init; }

    /// <summary>A request rate limit; null (the default) is none.</summary>
    public RateLimitConfig? RateLimit { get; init; }

    /// <summary>Every pool the route sends requests or copies to: its pool or split, and its mirror.</summary>
    public IEnumerable<string> ReferencedPools()
    {
        if (Pool.Length > 0)
        {
            yield return Pool;
        }

        foreach (var side in Pools)
        {
            yield return side.Pool;
        }

        if (Mirror is { Pool.Length: > 0 } mirror)
        {
            yield return mirror.Pool;
        }
    }
}

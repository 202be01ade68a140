namespace Balancer.Core.Configuration;

/// <summary>An HTTP route: requests whose host and path match go to <see cref="Pool"/>.</summary>
public sealed record RouteConfig
{
    /// <summary>Host names to match (<c>*</c> any, <c>*.example.com</c> a wildcard). Default: any host.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = ["*"];

    /// <summary>Path pattern in ASP.NET route syntax, e.g. <c>/api/{**rest}</c>. Default <c>/{**rest}</c>.</summary>
    public string Path { get; init; } = "/{**rest}";

    /// <summary>Name of the pool that serves the route.</summary>
    public string Pool { get; init; } = "";

    /// <summary>A request rate limit; null (the default) is none.</summary>
    public RateLimitConfig? RateLimit { get; init; }
}

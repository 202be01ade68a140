namespace Balancer.Core.Configuration;

/// <summary>A route that answers with a redirect and reaches no backend (<c>routes[].redirect</c>).</summary>
public sealed record RedirectConfig
{
    /// <summary>The <c>Location</c>, with placeholders <c>{path}</c>, <c>{query}</c> (with its <c>?</c>, or empty) and <c>{host}</c>.</summary>
    public string To { get; init; } = "";

    /// <summary>301, 302 (the default), 303, 307 or 308.</summary>
    public int Status { get; init; } = 302;

    /// <summary>The statuses a redirect may have.</summary>
    public static readonly IReadOnlyList<int> Statuses = [301, 302, 303, 307, 308];
}

/// <summary>A route that answers with a fixed response and reaches no backend (<c>routes[].respond</c>).</summary>
public sealed record RespondConfig
{
    /// <summary>The status, 200 to 599. Default 200.</summary>
    public int Status { get; init; } = 200;

    /// <summary>The body, sent as UTF-8. Default empty.</summary>
    public string Body { get; init; } = "";

    /// <summary>The <c>Content-Type</c>. Default <c>text/plain; charset=utf-8</c>.</summary>
    public string ContentType { get; init; } = "text/plain; charset=utf-8";
}

/// <summary>Copies of a share of a route's requests sent to a shadow pool, whose answers are discarded (<c>routes[].mirror</c>).</summary>
public sealed record MirrorConfig
{
    /// <summary>The shadow pool.</summary>
    public string Pool { get; init; } = "";

    /// <summary>The share of requests copied, 0 to 100 (fractions allowed). Default 100.</summary>
    public double Percent { get; init; } = 100;

    /// <summary>Requests with a larger body are not mirrored (and are counted). Default 64 KiB.</summary>
    public int MaxBodySize { get; init; } = 65_536;
}

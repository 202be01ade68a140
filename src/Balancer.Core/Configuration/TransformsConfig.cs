namespace Balancer.Core.Configuration;

/// <summary>What a route changes in the requests it forwards and in their responses (<c>routes[].transforms</c>).</summary>
public sealed record TransformsConfig
{
    /// <summary>A path prefix removed (on a segment boundary, ignoring case) before forwarding, e.g. <c>/api</c>.</summary>
    public string? StripPrefix { get; init; }

    /// <summary>A path prefix added before forwarding (after <see cref="StripPrefix"/>), e.g. <c>/v2</c>.</summary>
    public string? AddPrefix { get; init; }

    /// <summary>The whole path to forward, with the route path's parameters, e.g. <c>/items/{id}</c> or <c>/v2/{**rest}</c>.</summary>
    public string? PathPattern { get; init; }

    /// <summary>Edits of the request headers sent to the backend.</summary>
    public HeaderEditsConfig? RequestHeaders { get; init; }

    /// <summary>Edits of the response headers returned to the client.</summary>
    public HeaderEditsConfig? ResponseHeaders { get; init; }

    /// <summary><c>keep</c> (the default: the client's Host goes to the backend) or a fixed <c>host[:port]</c>.</summary>
    public string Host { get; init; } = KeepHost;

    /// <summary>The <see cref="Host"/> value that keeps the client's Host.</summary>
    public const string KeepHost = "keep";
}

/// <summary>Header edits of one direction, applied in this order: <c>set</c>, then <c>append</c>, then <c>remove</c>.</summary>
public sealed record HeaderEditsConfig
{
    /// <summary>Headers replaced by the value given (added when absent).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Set { get; init; } = [];

    /// <summary>Headers given one more value (added when absent).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Append { get; init; } = [];

    /// <summary>Headers removed.</summary>
    public IReadOnlyList<string> Remove { get; init; } = [];

    /// <summary>Response headers only: remove the backend's <c>Server</c> header. Default false.</summary>
    public bool RemoveServer { get; init; }
}

namespace Balancer.Core.Configuration;

/// <summary>A condition on one request header or query parameter of a route (<c>routes[].headers[]</c>, <c>routes[].query[]</c>).</summary>
public sealed record FieldMatchConfig
{
    /// <summary>The header or parameter name, compared case-insensitively (as ASP.NET reads both).</summary>
    public string Name { get; init; } = "";

    /// <summary>The values to compare with; any one matching is enough. None for <c>exists</c> and <c>notExists</c>.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary>How values compare: <c>exact</c> (the default), <c>prefix</c>, <c>contains</c>, <c>exists</c> or <c>notExists</c>.</summary>
    public string Mode { get; init; } = FieldMatchModes.Exact;

    /// <summary>Compare values ignoring ASCII case. Default false.</summary>
    public bool IgnoreCase { get; init; }
}

/// <summary>The <c>mode</c> names of a header or query condition.</summary>
public static class FieldMatchModes
{
    public const string Exact = "exact";
    public const string Prefix = "prefix";
    public const string Contains = "contains";
    public const string Exists = "exists";
    public const string NotExists = "notExists";

    /// <summary>Every mode, in the order error messages list them.</summary>
    public static readonly IReadOnlyList<string> All = [Exact, Prefix, Contains, Exists, NotExists];
}

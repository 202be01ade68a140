using Balancer.Core.Routing;

namespace Balancer.Http.Forwarding;

/// <summary>
/// A route's rewrite of the request path before it is forwarded (issue #22's <c>stripPrefix</c>, <c>addPrefix</c> and
/// <c>pathPattern</c>): a leading prefix removed on a segment boundary, then a prefix added; or the whole path made
/// from a pattern over the values the route's path captured. The query is left as it came.
/// </summary>
internal sealed record PathRewrite(PathString StripPrefix, PathString AddPrefix, PathTemplate? Pattern = null)
{
    /// <summary>No rewrite (the default of every route).</summary>
    public static readonly PathRewrite None = new(PathString.Empty, PathString.Empty);

    public bool IsNone => !StripPrefix.HasValue && !AddPrefix.HasValue && Pattern is null;

    /// <summary>The rewrite a route's transforms ask for.</summary>
    public static PathRewrite From(Core.Configuration.TransformsConfig? transforms) =>
        transforms is null ? None
        : transforms.PathPattern is { } pattern ? new(PathString.Empty, PathString.Empty, PathTemplate.Parse(pattern, out _))
        : new(new PathString(transforms.StripPrefix), new PathString(transforms.AddPrefix));

    /// <summary>The path to send for <paramref name="request"/>.</summary>
    public PathString Apply(HttpRequest request)
    {
        if (Pattern is not null)
        {
            var values = request.RouteValues;
            return new PathString(Pattern.Expand(name => values.TryGetValue(name, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null));
        }

        return Apply(request.Path);
    }

    /// <summary>The path to send for the client's <paramref name="path"/> (prefixes only).</summary>
    public PathString Apply(PathString path)
    {
        if (StripPrefix.HasValue && path.StartsWithSegments(StripPrefix, StringComparison.OrdinalIgnoreCase, out var rest))
        {
            path = rest.HasValue ? rest : new PathString("/");
        }

        return AddPrefix.HasValue ? AddPrefix.Add(path) : path;
    }
}

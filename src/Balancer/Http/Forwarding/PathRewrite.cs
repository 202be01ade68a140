namespace Balancer.Http.Forwarding;

/// <summary>
/// A route's rewrite of the request path before it is forwarded (issue #22's <c>stripPrefix</c> and <c>addPrefix</c>):
/// a leading prefix removed on a segment boundary, then a prefix added. The query is left as it came.
/// </summary>
internal sealed record PathRewrite(PathString StripPrefix, PathString AddPrefix)
{
    /// <summary>No rewrite (the default of every route).</summary>
    public static readonly PathRewrite None = new(PathString.Empty, PathString.Empty);

    public bool IsNone => !StripPrefix.HasValue && !AddPrefix.HasValue;

    /// <summary>The path to send for the client's <paramref name="path"/>.</summary>
    public PathString Apply(PathString path)
    {
        if (StripPrefix.HasValue && path.StartsWithSegments(StripPrefix, StringComparison.OrdinalIgnoreCase, out var rest))
        {
            path = rest.HasValue ? rest : new PathString("/");
        }

        return AddPrefix.HasValue ? AddPrefix.Add(path) : path;
    }
}

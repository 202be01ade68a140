using System.Text;
using System.Text.RegularExpressions;

namespace Balancer.Core.Routing;

/// <summary>
/// A route's <c>pathPattern</c> (YARP's PathPattern transform): the path to forward, whose <c>{name}</c> and
/// <c>{**name}</c> segments take the values the route's own path captured. <c>/items/{id}</c> on a route with path
/// <c>/api/items/{id}</c> sends <c>/api/items/42</c> as <c>/items/42</c>.
/// </summary>
public sealed partial class PathTemplate
{
    private readonly (string Text, bool IsParameter)[] _parts;

    private PathTemplate((string, bool)[] parts, IReadOnlyList<string> parameters)
    {
        _parts = parts;
        Parameters = parameters;
    }

    /// <summary>The parameter names the template uses.</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>The parameter names of a route path or pattern (<c>{id}</c>, <c>{**rest}</c>), in order.</summary>
    public static IReadOnlyList<string> ParameterNames(string template) =>
        [.. Parameter().Matches(template).Select(m => m.Groups["name"].Value)];

    /// <summary>Parses <paramref name="pattern"/>; null with <paramref name="error"/> when it is not a path of literals and whole-segment parameters.</summary>
    public static PathTemplate? Parse(string pattern, out string? error)
    {
        error = null;
        if (!pattern.StartsWith('/'))
        {
            error = $"pathPattern '{pattern}' must start with '/'";
            return null;
        }

        var parts = new List<(string, bool)>();
        var literal = new StringBuilder();
        var segments = pattern[1..].Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            literal.Append('/');
            var segment = segments[i];
            var match = Parameter().Match(segment);
            if (match.Success && match.Length == segment.Length)
            {
                if (match.Groups["catchAll"].Success && i != segments.Length - 1)
                {
                    error = $"pathPattern '{pattern}': the catch-all '{segment}' must be the last segment";
                    return null;
                }

                parts.Add((literal.ToString(), false));
                literal.Clear();
                parts.Add((match.Groups["name"].Value, true));
            }
            else if (segment.Contains('{') || segment.Contains('}'))
            {
                error = $"pathPattern '{pattern}': segment '{segment}' must be literal or one whole '{{name}}' or '{{**name}}'";
                return null;
            }
            else
            {
                literal.Append(segment);
            }
        }

        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), false));
        }

        return new PathTemplate([.. parts.Where(p => p.Item1.Length > 0 || p.Item2)], ParameterNames(pattern));
    }

    /// <summary>The path for the values <paramref name="values"/> gives each parameter (as the route captured them; missing ones are empty).</summary>
    public string Expand(Func<string, string?> values)
    {
        var path = new StringBuilder();
        foreach (var (text, isParameter) in _parts)
        {
            path.Append(isParameter ? values(text) : text);
        }

        // An empty catch-all leaves "/v2/": keep it, as the client's own trailing slash would be kept.
        return path.Length == 0 ? "/" : path.ToString();
    }

    [GeneratedRegex(@"\{(?<catchAll>\*\*)?(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Parameter();
}

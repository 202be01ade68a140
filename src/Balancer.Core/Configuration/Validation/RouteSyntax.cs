using System.Text.RegularExpressions;

namespace Balancer.Core.Configuration.Validation;

/// <summary>The host patterns and path templates routes accept. Each check returns null when valid, else the message.</summary>
internal static partial class RouteSyntax
{
    /// <summary><c>*</c>, an exact host name, or <c>*.example.com</c>.</summary>
    public static string? CheckHost(string host)
    {
        var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        return host == "*" || AddressSyntax.IsDnsName(name)
            ? null
            : $"'{host}' is not a host pattern; use '*', a host name such as 'example.com', or '*.example.com'";
    }

    /// <summary>
    /// An ASP.NET route template kept simple: literal segments and whole-segment parameters (<c>{id}</c>, which
    /// <c>transforms.pathPattern</c> can use), then optionally one final <c>{**name}</c> catch-all. Constraints, optional
    /// and partial-segment parameters would need a route engine's matching rules, which Balancer does not promise.
    /// </summary>
    public static string? CheckPath(string path)
    {
        if (!path.StartsWith('/'))
        {
            return $"route path '{path}' must start with '/'";
        }

        var segments = path[1..].Split('/');
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if ((last && CatchAll().IsMatch(segment)) || Parameter().IsMatch(segment))
            {
                if (!names.Add(segment.Trim('{', '}', '*')))
                {
                    return $"route path '{path}' names parameter '{segment}' twice";
                }

                continue;
            }

            if (last && segment.Length == 0)
            {
                continue;
            }

            if (segment.Length == 0)
            {
                return $"route path '{path}' has an empty segment ('//')";
            }

            if (!Literal().IsMatch(segment))
            {
                return last || !CatchAll().IsMatch(segment)
                    ? $"route path '{path}': segment '{segment}' is not supported; use literal segments, whole-segment '{{name}}' parameters and an optional final '{{**name}}'"
                    : $"route path '{path}': the catch-all '{segment}' must be the last segment";
            }
        }

        return null;
    }

    [GeneratedRegex(@"^\{\*\*[A-Za-z_][A-Za-z0-9_]*\}$")]
    private static partial Regex CatchAll();

    [GeneratedRegex(@"^\{[A-Za-z_][A-Za-z0-9_]*\}$")]
    private static partial Regex Parameter();

    // RFC 3986 pchar without '%' escapes, '{', '}' and '*', which route templates give meaning to.
    [GeneratedRegex(@"^[A-Za-z0-9\-._~!$&'()+,;=:@]+$")]
    private static partial Regex Literal();
}

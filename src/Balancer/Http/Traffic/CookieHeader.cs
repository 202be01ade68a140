using Microsoft.Extensions.Primitives;

namespace Balancer.Http.Traffic;

/// <summary>
/// Finds one cookie in a request's <c>Cookie</c> header lines without building ASP.NET Core's cookie collection (which
/// parses every cookie into a dictionary): affinity and <c>cookie:NAME</c> hashing read one cookie per request.
/// RFC 6265 §5.4: pairs separated by "; " (HTTP/2 may send several lines, RFC 9113 §8.2.3); a value may be quoted.
/// The first pair of that name wins, as in browsers' order (most specific path first).
/// </summary>
internal static class CookieHeader
{
    /// <summary>The value of cookie <paramref name="name"/>; empty when the request has none (or an empty one).</summary>
    public static ReadOnlySpan<char> Find(StringValues lines, string name)
    {
        foreach (var line in lines)
        {
            if (line is not null && TryFind(line, name, out var value))
            {
                return value;
            }
        }

        return default;
    }

    private static bool TryFind(string line, string name, out ReadOnlySpan<char> value)
    {
        var rest = line.AsSpan();
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(';');
            var pair = (end < 0 ? rest : rest[..end]).Trim(' ');
            rest = end < 0 ? default : rest[(end + 1)..];
            var equals = pair.IndexOf('=');
            if (equals < 0 || !pair[..equals].TrimEnd(' ').SequenceEqual(name))
            {
                continue;
            }

            value = pair[(equals + 1)..].Trim(' ');
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                value = value[1..^1];
            }

            return true;
        }

        value = default;
        return false;
    }
}

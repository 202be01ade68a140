namespace Balancer.Core.Routing;

/// <summary>
/// Reads query parameters straight from the raw query string (<c>a=1&amp;b=x%20y</c>), so a route condition on one
/// parameter costs no parsed dictionary: names compare case-insensitively, and a name or value is percent-decoded
/// (with <c>+</c> as a space, as HTML forms send it) only when it holds an escape.
/// </summary>
public static class QueryParameters
{
    /// <summary>Whether parameter <see cref="FieldMatch.Name"/> of <paramref name="rawQuery"/> satisfies <paramref name="match"/>.</summary>
    public static bool Matches(string rawQuery, FieldMatch match)
    {
        var present = false;
        var query = rawQuery.AsSpan();
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }

        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.IsEmpty)
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            if (!Decode(name).Equals(match.Name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            present = true;
            if (match.Mode is FieldMatchMode.Exists or FieldMatchMode.NotExists)
            {
                break;
            }

            if (match.MatchesValue(Decode(equals < 0 ? [] : pair[(equals + 1)..])))
            {
                return true;
            }
        }

        return match.Mode switch
        {
            FieldMatchMode.Exists => present,
            FieldMatchMode.NotExists => !present,
            _ => false,
        };
    }

    /// <summary>The text of a query name or value: as it is unless it holds <c>%</c> or <c>+</c>.</summary>
    public static ReadOnlySpan<char> Decode(ReadOnlySpan<char> raw)
    {
        if (raw.IndexOfAny('%', '+') < 0)
        {
            return raw;
        }

        var text = raw.ToString().Replace('+', ' ');
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            return text;
        }
    }
}

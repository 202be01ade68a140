using System.Text;

namespace Balancer.Core.Routing;

/// <summary>
/// A redirect's <c>to</c>, parsed once: literal text and the placeholders <c>{path}</c> (the request path as received),
/// <c>{query}</c> (the query string with its <c>?</c>, or nothing, as NGINX's <c>$is_args$args</c>) and <c>{host}</c>
/// (the request's host name, without port, as NGINX's <c>$host</c>).
/// </summary>
public sealed class RedirectTemplate
{
    private readonly (string? Literal, Placeholder Slot)[] _parts;

    private RedirectTemplate((string?, Placeholder)[] parts) => _parts = parts;

    private enum Placeholder
    {
        None,
        Path,
        Query,
        Host,
    }

    /// <summary>Parses <paramref name="to"/>; null with <paramref name="error"/> when a brace is not one of the placeholders.</summary>
    public static RedirectTemplate? Parse(string to, out string? error)
    {
        var parts = new List<(string?, Placeholder)>();
        var literal = new StringBuilder();
        for (var i = 0; i < to.Length; i++)
        {
            if (to[i] == '}')
            {
                error = $"'{to}' has a '}}' that closes no placeholder; the placeholders are {{path}}, {{query}} and {{host}}";
                return null;
            }

            if (to[i] != '{')
            {
                literal.Append(to[i]);
                continue;
            }

            var end = to.IndexOf('}', i);
            var name = end < 0 ? to[i..] : to[i..(end + 1)];
            var slot = name switch
            {
                "{path}" => Placeholder.Path,
                "{query}" => Placeholder.Query,
                "{host}" => Placeholder.Host,
                _ => Placeholder.None,
            };
            if (slot == Placeholder.None)
            {
                error = $"'{to}': unknown placeholder '{name}'; the placeholders are {{path}}, {{query}} and {{host}}";
                return null;
            }

            if (literal.Length > 0)
            {
                parts.Add((literal.ToString(), Placeholder.None));
                literal.Clear();
            }

            parts.Add((null, slot));
            i = end;
        }

        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), Placeholder.None));
        }

        error = null;
        return new RedirectTemplate([.. parts]);
    }

    /// <summary>
    /// The Location for a request with <paramref name="path"/> (escaped, as received), <paramref name="query"/>
    /// (with its <c>?</c>, or empty) and <paramref name="host"/> (the Host header, whose port is left out).
    /// </summary>
    public string Expand(string path, string query, string host)
    {
        var text = new StringBuilder();
        foreach (var (literal, slot) in _parts)
        {
            text.Append(slot switch
            {
                Placeholder.Path => path,
                Placeholder.Query => query,
                Placeholder.Host => HostName(host),
                _ => literal,
            });
        }

        return text.ToString();
    }

    /// <summary>The host name of a Host value: <c>example.com:8080</c> → <c>example.com</c>, <c>[::1]:80</c> → <c>[::1]</c>.</summary>
    public static string HostName(string host)
    {
        var colon = host.LastIndexOf(':');
        return colon < 0 || host.EndsWith(']') ? host : host[..colon];
    }
}

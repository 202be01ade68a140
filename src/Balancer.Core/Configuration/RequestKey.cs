namespace Balancer.Core.Configuration;

/// <summary>What part of a request a hash or a rate limit is keyed on.</summary>
public enum RequestKeyKind
{
    /// <summary>The client's address (from PROXY protocol, or X-Forwarded-For of a trusted proxy).</summary>
    ClientIp,

    /// <summary>A request header's value.</summary>
    Header,

    /// <summary>A cookie's value.</summary>
    Cookie,

    /// <summary>A query string parameter's value.</summary>
    Query,

    /// <summary>The request path.</summary>
    Path,

    /// <summary>The Host header.</summary>
    Host,

    /// <summary>No per-request part: one shared key (a route-wide rate limit).</summary>
    Route,
}

/// <summary>A parsed <c>hashKey</c> or <c>rateLimit.key</c>: <c>client-ip</c>, <c>header:NAME</c>, <c>cookie:NAME</c>, <c>query:NAME</c>, <c>path</c>, <c>host</c>, <c>route</c>.</summary>
/// <param name="Kind">The part of the request.</param>
/// <param name="Name">The header, cookie or parameter name; empty for the others.</param>
public readonly record struct RequestKey(RequestKeyKind Kind, string Name)
{
    /// <summary>The config name of <see cref="RequestKeyKind.ClientIp"/>.</summary>
    public const string ClientIpName = "client-ip";

    /// <summary>The client address key.</summary>
    public static RequestKey ClientIp => new(RequestKeyKind.ClientIp, "");

    /// <summary>Parses <paramref name="text"/>; false with a message naming the accepted forms otherwise.</summary>
    public static bool TryParse(string text, IReadOnlyCollection<RequestKeyKind> allowed, out RequestKey key, out string error)
    {
        key = default;
        error = "";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var head = colon < 0 ? text : text[..colon];
        var name = colon < 0 ? "" : text[(colon + 1)..];
        RequestKeyKind? kind = head switch
        {
            ClientIpName => RequestKeyKind.ClientIp,
            "header" => RequestKeyKind.Header,
            "cookie" => RequestKeyKind.Cookie,
            "query" => RequestKeyKind.Query,
            "path" => RequestKeyKind.Path,
            "host" => RequestKeyKind.Host,
            "route" => RequestKeyKind.Route,
            _ => null,
        };
        var named = kind is RequestKeyKind.Header or RequestKeyKind.Cookie or RequestKeyKind.Query;
        if (kind is not { } k || !allowed.Contains(k))
        {
            error = $"unknown key '{text}'; expected {Describe(allowed)}";
            return false;
        }

        if (named != (colon >= 0) || (named && !IsToken(name)))
        {
            error = named ? $"'{text}' needs a name after ':', e.g. '{head}:X-User'" : $"'{head}' takes no name; use '{head}'";
            return false;
        }

        key = new RequestKey(k, name);
        return true;
    }

    /// <summary>The accepted forms of <paramref name="allowed"/>, for messages and docs.</summary>
    public static string Describe(IReadOnlyCollection<RequestKeyKind> allowed) => string.Join(", ", allowed.Select(k => k switch
    {
        RequestKeyKind.ClientIp => ClientIpName,
        RequestKeyKind.Header => "header:NAME",
        RequestKeyKind.Cookie => "cookie:NAME",
        RequestKeyKind.Query => "query:NAME",
        RequestKeyKind.Path => "path",
        RequestKeyKind.Host => "host",
        _ => "route",
    }));

    /// <inheritdoc/>
    public override string ToString() => Name.Length == 0 ? Describe([Kind]) : $"{Describe([Kind]).Split(':')[0]}:{Name}";

    // RFC 9110 section 5.6.2 token characters: header and cookie names are tokens; query names are held to the same.
    private static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => c < 127 && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c)));
}

namespace Balancer.Core.Tls;

/// <summary>Host names as TLS uses them: case-insensitive, with <c>*.</c> wildcards standing for exactly one label (RFC 6125 section 6.4.3).</summary>
public static class SniName
{
    /// <summary>True when <paramref name="pattern"/> (<c>example.com</c> or <c>*.example.com</c>) matches <paramref name="host"/>.</summary>
    public static bool Matches(string pattern, string host)
    {
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            return pattern.Equals(host, StringComparison.OrdinalIgnoreCase)
                || (Parent(host) is { IsEmpty: false } parent && parent.Equals(pattern.AsSpan(2), StringComparison.OrdinalIgnoreCase));
        }

        return pattern.Equals(host, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The name with its first label removed (<c>a.example.com</c> → <c>example.com</c>), or empty for a single label;
    /// a slice of <paramref name="host"/>, so a handshake's certificate lookup allocates nothing.
    /// </summary>
    public static ReadOnlySpan<char> Parent(ReadOnlySpan<char> host)
    {
        var dot = host.IndexOf('.');
        return dot <= 0 || dot == host.Length - 1 ? [] : host[(dot + 1)..];
    }
}

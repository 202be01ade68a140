using System.Collections.Frozen;
using Microsoft.Extensions.Primitives;

namespace Balancer.Http.Forwarding;

/// <summary>
/// The headers that belong to one connection and are never forwarded, in either direction (RFC 9110 §7.6.1): a fixed
/// set, and the ones a sender names in its <c>Connection</c> header.
/// </summary>
internal static class HopByHopHeaders
{
    // YARP's RequestUtilities set, which its HttpTransformer also skips when it copies a response: both forwarders
    // must agree on it (HopByHopHeadersTests checks YARP's copy against this set).
    private static readonly FrozenSet<string> s_fixed = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Proxy-Connection", "Proxy-Authenticate",
        "Proxy-Authentication-Info", "Proxy-Authorization", "Proxy-Features", "Proxy-Instruction", "Security-Scheme",
        "ALPN", "Close", "HTTP2-Settings", "Upgrade-Insecure-Requests", "TE", "Alt-Svc");

    /// <summary>Whether <paramref name="name"/> is in the fixed hop-by-hop set.</summary>
    public static bool IsFixed(string name) => s_fixed.Contains(name);

    /// <summary>
    /// Whether a <c>Connection</c> header may name headers to strip; false for the common "keep-alive"/"close",
    /// so that nothing is split on the hot path.
    /// </summary>
    public static bool NamesHeaders(StringValues connection) =>
        connection.Count > 1 || (connection.Count == 1 && IsHeaderName(connection[0]!));

    /// <summary>The header names a <c>Connection</c> header lists, without its options; null when it lists none.</summary>
    public static string[]? Named(StringValues connection)
    {
        if (!NamesHeaders(connection))
        {
            return null;
        }

        var names = new List<string>();
        foreach (var value in connection)
        {
            foreach (var token in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (IsHeaderName(token))
                {
                    names.Add(token);
                }
            }
        }

        return names.Count == 0 ? null : [.. names];
    }

    /// <summary>Whether <paramref name="name"/> is one of <paramref name="named"/> (case-insensitive); false when none are.</summary>
    public static bool IsNamed(string[]? named, string name)
    {
        if (named is null)
        {
            return false;
        }

        foreach (var n in named)
        {
            if (n.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Connection options that are not header names (keep-alive, close) or that YARP handles itself (upgrade).</summary>
    private static bool IsHeaderName(string token) =>
        !token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
        && !token.Equals("close", StringComparison.OrdinalIgnoreCase)
        && !token.Equals("upgrade", StringComparison.OrdinalIgnoreCase);
}

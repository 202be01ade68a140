using System.Buffers;
using System.Collections.Frozen;

namespace Balancer.Core.Http1;

/// <summary>
/// Reads the trailer section a <see cref="ChunkedDecoder"/> kept, one field at a time, for a proxy to pass on: a line that
/// is not <c>token ":" OWS value OWS</c> with a value free of control characters (RFC 9110 §5.5; an obs-fold line
/// included) is skipped, never forwarded, so a backend cannot split the client's response with it.
/// </summary>
public static class TrailerFields
{
    // Everything but CTL; HTAB is allowed inside a value.
    private static readonly SearchValues<byte> s_controls = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127]);

    // RFC 9110 §6.5.1: fields a sender must not put in trailers because they frame, route, authenticate or describe the
    // content (HttpClient drops these from trailers too), and the hop-by-hop fields no proxy forwards.
    private static readonly FrozenSet<string> s_notForwarded = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "Content-Length", "Transfer-Encoding", "Host", "Trailer", "TE", "Connection", "Keep-Alive", "Upgrade",
        "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "Authorization", "Set-Cookie", "WWW-Authenticate",
        "Content-Type", "Content-Encoding", "Content-Range", "Cache-Control", "Expires", "Date", "Age", "Location",
        "Retry-After", "Vary", "Warning", "Alt-Svc");

    /// <summary>Whether a trailer field of this name is passed on to the client.</summary>
    public static bool IsForwarded(string name) => !s_notForwarded.Contains(name);

    /// <summary>
    /// The next well-formed field of <paramref name="block"/> at or after <paramref name="position"/> (which moves past
    /// it); false when there is none left.
    /// </summary>
    public static bool TryNext(ReadOnlySpan<byte> block, ref int position, out Range name, out Range value)
    {
        while (position < block.Length)
        {
            var start = position;
            var lf = block[start..].IndexOf((byte)'\n');
            var end = lf < 0 ? block.Length : start + lf;
            position = lf < 0 ? block.Length : end + 1;
            var line = block[start..end];
            if (!line.IsEmpty && line[^1] == '\r')
            {
                line = line[..^1];
            }

            if (!FieldLine.TrySplit(line, out var colon, out var valueStart, out var valueEnd))
            {
                continue; // not a field (an obs-fold line starts with a space, which is no token)
            }

            if (line[valueStart..valueEnd].ContainsAny(s_controls))
            {
                continue;
            }

            name = new Range(start, start + colon);
            value = new Range(start + valueStart, start + valueEnd);
            return true;
        }

        name = value = default;
        return false;
    }
}

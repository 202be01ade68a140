using System.Text;

namespace Balancer.Core.Http1;

/// <summary>What <see cref="ResponseHeadParser.Parse"/> found.</summary>
public enum HeadParseResult
{
    /// <summary>The head is not all there yet: read more.</summary>
    Incomplete,

    /// <summary>A whole head was parsed; <see cref="ResponseHead.Length"/> says where the body starts.</summary>
    Complete,

    /// <summary>Not an HTTP/1.x response head we can frame safely.</summary>
    Invalid,

    /// <summary>No end of head within the size limit.</summary>
    TooLarge,
}

/// <summary>
/// Parses an HTTP/1.x response head (RFC 9112 §4, §5) from bytes, without allocating. Strict where framing is at
/// stake (status line, header names, Content-Length, obs-fold) because a proxy that reads a response differently
/// from the next hop invites response splitting; lenient where SocketsHttpHandler is (a bare LF ends a line, the
/// reason phrase may be missing).
/// </summary>
public static class ResponseHeadParser
{
    /// <summary>SocketsHttpHandler's default <c>MaxResponseHeadersLength</c>: 64 KiB.</summary>
    public const int DefaultMaxLength = 64 * 1024;

    /// <summary>Parses the head at the start of <paramref name="buffer"/> into <paramref name="head"/>.</summary>
    public static HeadParseResult Parse(ReadOnlySpan<byte> buffer, ResponseHead head, int maxLength = DefaultMaxLength)
    {
        head.Reset();
        var window = buffer.Length > maxLength ? buffer[..maxLength] : buffer;
        var lineEnd = window.IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return NotYet(buffer, maxLength);
        }

        if (!ParseStatusLine(TrimCr(window[..lineEnd]), head))
        {
            return HeadParseResult.Invalid;
        }

        var position = lineEnd + 1;
        while (true)
        {
            var end = window[position..].IndexOf((byte)'\n');
            if (end < 0)
            {
                return NotYet(buffer, maxLength);
            }

            var line = TrimCr(window.Slice(position, end));
            var lineStart = position;
            position += end + 1;
            if (line.IsEmpty)
            {
                head.Length = position;
                return HeadParseResult.Complete;
            }

            if (!ParseField(line, lineStart, head))
            {
                return HeadParseResult.Invalid;
            }
        }
    }

    private static HeadParseResult NotYet(ReadOnlySpan<byte> buffer, int maxLength) =>
        buffer.Length >= maxLength ? HeadParseResult.TooLarge : HeadParseResult.Incomplete;

    private static ReadOnlySpan<byte> TrimCr(ReadOnlySpan<byte> line) => line.EndsWith((byte)'\r') ? line[..^1] : line;

    // status-line = HTTP-version SP status-code SP [ reason-phrase ]; the SP before an empty reason may be missing.
    private static bool ParseStatusLine(ReadOnlySpan<byte> line, ResponseHead head)
    {
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != ' ')
        {
            return false;
        }

        var minor = line[7];
        var d0 = line[9] - '0';
        var d1 = line[10] - '0';
        var d2 = line[11] - '0';
        if (minor is not ((byte)'0' or (byte)'1') || d0 is < 1 or > 9 || d1 is < 0 or > 9 || d2 is < 0 or > 9)
        {
            return false;
        }

        head.MinorVersion = minor - '0';
        head.StatusCode = (d0 * 100) + (d1 * 10) + d2;
        if (line.Length == 12)
        {
            return true;
        }

        if (line[12] != ' ' || line[13..].IndexOfAny((byte)'\0', (byte)'\r') >= 0)
        {
            return false;
        }

        head.ReasonStart = 13;
        head.ReasonLength = line.Length - 13;
        return true;
    }

    // field-line = field-name ":" OWS field-value OWS; no whitespace before the colon (RFC 9112 §5.1), no obs-fold.
    private static bool ParseField(ReadOnlySpan<byte> line, int lineStart, ResponseHead head)
    {
        if (!FieldLine.TrySplit(line, out var colon, out var valueStart, out var valueEnd))
        {
            return false;
        }

        var name = line[..colon];
        var value = line[valueStart..valueEnd];
        if (value.IndexOfAny((byte)'\0', (byte)'\r') >= 0 || !Interpret(name, value, head))
        {
            return false;
        }

        head.Add(new HeaderField(lineStart, colon, lineStart + valueStart, value.Length));
        return true;
    }

    /// <summary>Takes note of the framing and connection headers; false when one is malformed.</summary>
    private static bool Interpret(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ResponseHead head)
    {
        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            // Digits only; repeated headers must agree (RFC 9110 §8.6), anything else is a smuggling risk.
            if (value.IsEmpty || value.Length > 18 || value.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
            {
                return false;
            }

            long length = 0;
            foreach (var digit in value)
            {
                length = (length * 10) + (digit - '0');
            }

            if (head.ContentLength >= 0 && head.ContentLength != length)
            {
                return false;
            }

            head.ContentLength = length;
        }
        else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
        {
            var comma = value.LastIndexOf((byte)',');
            var last = value[(comma + 1)..].Trim(" \t"u8);
            head.HasTransferEncoding = true;
            head.Chunked = Ascii.EqualsIgnoreCase(last, "chunked"u8);
        }
        else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            foreach (var range in value.Split((byte)','))
            {
                if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), "close"u8))
                {
                    head.ConnectionClose = true;
                }
            }
        }

        return true;
    }
}

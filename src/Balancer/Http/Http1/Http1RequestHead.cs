using System.Buffers;
using System.Text;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http.Http1;

/// <summary>
/// Writes the request head YARP's default forwarder with Balancer's transforms would send (HttpClient over
/// HTTP/1.1): the client's method and target, the destination's Host, the client's headers less YARP's hop-by-hop
/// set and those the client's Connection header names, then X-Forwarded-For/-Proto/-Host for this hop. Anything it
/// cannot reproduce exactly (a header repeated on several lines, a non-ASCII character) makes it decline, and the
/// request goes to YARP.
/// </summary>
internal static class Http1RequestHead
{
    // RFC 3986 pchar less pct-encoded: YARP sends a path of these as it is, and Uri leaves it alone.
    private static readonly SearchValues<char> s_plainPath =
        SearchValues.Create("!$&'()*+,-./0123456789:;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~");

    private static readonly SearchValues<char> s_plainQuery =
        SearchValues.Create("!$&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~");

    /// <summary>What <see cref="TryWrite"/> did.</summary>
    public enum Result
    {
        Written,
        BufferTooSmall,
        Declined,
    }

    public static Result TryWrite(HttpContext context, Http1ConnectionPool pool, ForwardedForTransform forwardedFor, Span<byte> buffer, out int length)
    {
        var writer = new Writer(buffer);
        var request = context.Request;
        var headers = request.Headers;
        writer.Write(Method(request.Method));
        writer.Write(" "u8);
        if (!WriteTarget(ref writer, request, pool.Backend.Address))
        {
            length = 0;
            return Result.Declined;
        }

        writer.Write(" HTTP/1.1\r\n"u8);
        writer.Write(pool.HostLine);

        var connection = headers.Connection;
        var named = ConnectionHeaderTransform.NamesHeaders(connection) ? ConnectionHeaderTransform.Names(connection).ToArray() : null;
        var received = named is not null && IsNamed(named, "X-Forwarded-For") ? default : headers["X-Forwarded-For"];
        var hasForwardedFor = forwardedFor.TryCompute(context, received, out var forwardedForValue, out var trusted);
        foreach (var (name, values) in headers)
        {
            if (Skip(name, named, stripUntrusted: hasForwardedFor && !trusted))
            {
                continue;
            }

            if (values.Count != 1)
            {
                length = 0;
                return Result.Declined; // HttpClient joins repeated lines with a separator that depends on the header
            }

            writer.Write(name);
            writer.Write(": "u8);
            writer.Write(values[0]);
            writer.Write("\r\n"u8);
        }

        if (hasForwardedFor)
        {
            writer.Write("X-Forwarded-For: "u8);
            for (var i = 0; i < forwardedForValue.Count; i++)
            {
                writer.Write(i == 0 ? ""u8 : ", "u8);
                writer.Write(forwardedForValue[i]);
            }

            writer.Write("\r\n"u8);
        }

        writer.Write("X-Forwarded-Proto: "u8);
        writer.Write(request.Scheme);
        if (request.Host.HasValue)
        {
            writer.Write("\r\nX-Forwarded-Host: "u8);
            writer.Write(request.Host.ToUriComponent());
        }

        writer.Write("\r\n\r\n"u8);
        length = writer.Position;
        return writer.NonAscii ? Result.Declined : writer.Overflow ? Result.BufferTooSmall : Result.Written;
    }

    /// <summary>The origin-form target YARP's client sends: plain paths as they are, others as <see cref="Uri"/> makes them.</summary>
    private static bool WriteTarget(ref Writer writer, HttpRequest request, string prefix)
    {
        var path = request.Path.Value;
        var query = request.QueryString.Value;
        if (path is { Length: > 0 } && path[0] == '/' && !path.AsSpan().ContainsAnyExcept(s_plainPath) && !path.Contains("/.", StringComparison.Ordinal)
            && (string.IsNullOrEmpty(query) || (query[0] == '?' && !query.AsSpan().ContainsAnyExcept(s_plainQuery))))
        {
            writer.Write(path);
            writer.Write(query);
            return true;
        }

        try
        {
            writer.Write(RequestUtilities.MakeDestinationAddress(prefix, request.Path, request.QueryString).PathAndQuery);
            return true;
        }
        catch (UriFormatException)
        {
            return false;
        }
    }

    /// <summary>HttpClient's spelling of the method: the standard ones in upper case whatever the client sent.</summary>
    private static string Method(string method) => method switch
    {
        _ when HttpMethods.IsGet(method) => HttpMethods.Get,
        _ when HttpMethods.IsPost(method) => HttpMethods.Post,
        _ when HttpMethods.IsPut(method) => HttpMethods.Put,
        _ when HttpMethods.IsDelete(method) => HttpMethods.Delete,
        _ when HttpMethods.IsOptions(method) => HttpMethods.Options,
        _ when HttpMethods.IsHead(method) => HttpMethods.Head,
        _ when HttpMethods.IsPatch(method) => HttpMethods.Patch,
        _ when HttpMethods.IsTrace(method) => HttpMethods.Trace,
        _ => method,
    };

    private static bool Skip(string name, string[]? named, bool stripUntrusted) =>
        name.StartsWith(':')
        || name.Equals("Host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Forwarded-Proto", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Forwarded-Host", StringComparison.OrdinalIgnoreCase)
        || ResponseHeaderNames.IsHopByHop(name)
        || (stripUntrusted && IsUntrustedOnly(name))
        || (named is not null && IsNamed(named, name));

    private static bool IsUntrustedOnly(string name)
    {
        foreach (var header in ForwardedForTransform.UntrustedOnly)
        {
            if (name.Equals(header, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsNamed(string[] named, string name) =>
        Array.Exists(named, n => n.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Writes ASCII into a span, noting overflow and non-ASCII characters instead of throwing.</summary>
    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Position { get; private set; }

        public bool Overflow { get; private set; }

        public bool NonAscii { get; private set; }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            if (bytes.TryCopyTo(_buffer[Position..]))
            {
                Position += bytes.Length;
            }
            else
            {
                Overflow = true;
            }
        }

        public void Write(string? text)
        {
            var status = Ascii.FromUtf16(text, _buffer[Position..], out var written);
            Position += written;
            Overflow |= status == OperationStatus.DestinationTooSmall;
            NonAscii |= status == OperationStatus.InvalidData;
        }
    }
}

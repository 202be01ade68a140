using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using Balancer.Http.Forwarding;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http.Http1;

/// <summary>
/// Writes the request head the route's <see cref="ForwardingPlan"/> describes, as YARP's forwarder sends the same plan
/// through HttpClient over HTTP/1.1: HttpClient's spelling of the method, the target, then the plan's Host and headers.
/// Anything it cannot reproduce exactly (a header repeated on several lines, which HttpClient joins with a separator
/// that depends on the header; a non-ASCII character) makes it decline, and the request goes to YARP.
/// </summary>
internal static class Http1RequestHead
{
    // RFC 3986 pchar less pct-encoded: YARP sends a path of these as it is, and Uri leaves it alone.
    private static readonly SearchValues<char> s_plainPath =
        SearchValues.Create("!$&'()*+,-./0123456789:;=@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~");

    private static readonly SearchValues<char> s_plainQuery =
        SearchValues.Create("!$&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~");

    // HttpClient's content headers (HttpHeaderType.Content): on a request without a body YARP gives them an empty
    // content, which HttpClient then sends with Content-Length: 0.
    private static readonly FrozenSet<string> s_contentHeaders = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length", "Content-Location", "Content-MD5",
        "Content-Range", "Content-Type", "Expires", "Last-Modified");

    /// <summary>What <see cref="TryWrite"/> did.</summary>
    public enum Result
    {
        Written,
        BufferTooSmall,
        Declined,
    }

    public static Result TryWrite(HttpContext context, ForwardingPlan plan, Http1ConnectionPool pool, Span<byte> buffer, out int length)
    {
        var writer = new Writer(buffer, pool.HostLine);
        var request = context.Request;
        writer.Write(Method(request.Method));
        writer.Write(" "u8);
        if (!WriteTarget(ref writer, plan.PathFor(request), request.QueryString, pool.Backend.Address))
        {
            length = 0;
            return Result.Declined;
        }

        writer.Write(" HTTP/1.1\r\n"u8);
        plan.WriteHead(context, ref writer);
        if (!writer.HasContentLength && (writer.HasContentHeader || MustHaveBody(request.Method)))
        {
            // As HttpClient marks a body-less POST, PUT, PATCH or other method, and a request with content headers.
            writer.Write("Content-Length: 0\r\n"u8);
        }

        writer.Write("\r\n"u8);
        length = writer.Position;
        return writer.Declined ? Result.Declined : writer.Overflow ? Result.BufferTooSmall : Result.Written;
    }

    /// <summary>The origin-form target YARP's client sends: plain paths as they are, others as <see cref="Uri"/> makes them.</summary>
    private static bool WriteTarget(ref Writer writer, PathString path, QueryString queryString, string prefix)
    {
        var value = path.Value;
        var query = queryString.Value;
        if (value is { Length: > 0 } && value[0] == '/' && !value.AsSpan().ContainsAnyExcept(s_plainPath) && !value.Contains("/.", StringComparison.Ordinal)
            && (string.IsNullOrEmpty(query) || (query[0] == '?' && !query.AsSpan().ContainsAnyExcept(s_plainQuery))))
        {
            writer.Write(value);
            writer.Write(query);
            return true;
        }

        try
        {
            writer.Write(RequestUtilities.MakeDestinationAddress(prefix, path, queryString).PathAndQuery);
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

    /// <summary>The methods HttpClient gives <c>Content-Length: 0</c> when they carry no body (all but GET, HEAD, OPTIONS, DELETE, CONNECT).</summary>
    private static bool MustHaveBody(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsDelete(method) || HttpMethods.IsConnect(method));

    /// <summary>Writes ASCII into a span, noting overflow and what it cannot write exactly instead of throwing.</summary>
    private ref struct Writer(Span<byte> buffer, byte[] backendHostLine) : IOutgoingHead
    {
        private readonly Span<byte> _buffer = buffer;

        public int Position { get; private set; }

        public bool Overflow { get; private set; }

        /// <summary>A value the lean path cannot send as HttpClient would (repeated lines, non-ASCII).</summary>
        public bool Declined { get; private set; }

        public bool HasContentLength { get; private set; }

        public bool HasContentHeader { get; private set; }

        public void Host(string? value)
        {
            if (value is null)
            {
                Write(backendHostLine);
                return;
            }

            Write("Host: "u8);
            Write(value);
            Write("\r\n"u8);
        }

        public void Header(string name, StringValues values)
        {
            if (values.Count != 1)
            {
                Declined = true;
                return;
            }

            if (s_contentHeaders.Contains(name))
            {
                HasContentHeader = true;
                HasContentLength |= name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase);
            }

            Write(name);
            Write(": "u8);
            Write(values[0]);
            Write("\r\n"u8);
        }

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
            Declined |= status == OperationStatus.InvalidData;
        }
    }
}

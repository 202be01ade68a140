using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Balancer.Core.Http1;

namespace Balancer.Http;

/// <summary>
/// Relays a response body to an HTTP/1.1 client in chunked coding written by Balancer itself, so that the backend's
/// trailer fields can follow the last chunk (RFC 9112 §7.1.2) as HAProxy passes them: Kestrel sends trailers on HTTP/2
/// only, but leaves the framing to the application when the application sets <c>Transfer-Encoding: chunked</c>. Where
/// no trailers can follow (a sized body, an HTTP/1.0 client), the backend's <c>Trailer</c> header is not passed on,
/// so that nothing announces fields that will not come.
/// </summary>
internal static class ChunkedRelay
{
    private static readonly byte[] s_crlf = "\r\n"u8.ToArray();

    /// <summary>Whether a response to this client may carry trailers: HTTP/1.1 (chunked) or HTTP/2 and later.</summary>
    public static bool ClientTakesChunks(HttpRequest request) => HttpProtocol.IsHttp11(request.Protocol);

    /// <summary>
    /// Sets up the client response's framing: chunked by Balancer when <paramref name="relay"/>, else the <c>Trailer</c>
    /// header goes (it announces what cannot follow).
    /// </summary>
    public static void Announce(HttpResponse response, bool relay)
    {
        if (relay)
        {
            response.Headers.TransferEncoding = "chunked";
        }
        else if (response.Headers.ContainsKey("Trailer"))
        {
            response.Headers.Remove("Trailer");
        }
    }

    /// <summary>Writes one chunk of <paramref name="data"/> (never empty: an empty chunk ends the body).</summary>
    public static void WriteChunk(PipeWriter writer, ReadOnlySpan<byte> data)
    {
        var span = writer.GetSpan(20);
        data.Length.TryFormat(span, out var written, "x");
        s_crlf.CopyTo(span[written..]);
        writer.Advance(written + 2);
        writer.Write(data);
        writer.Write(s_crlf);
    }

    /// <summary>Writes the last chunk and the trailer fields of a backend's HTTP/1.1 trailer section that may be passed on.</summary>
    public static void WriteEnd(PipeWriter writer, ReadOnlySpan<byte> trailerSection)
    {
        writer.Write("0\r\n"u8);
        var position = 0;
        while (TrailerFields.TryNext(trailerSection, ref position, out var name, out var value))
        {
            if (TrailerFields.IsForwarded(Encoding.Latin1.GetString(trailerSection[name])))
            {
                WriteField(writer, trailerSection[name], trailerSection[value]);
            }
        }

        writer.Write(s_crlf);
    }

    /// <summary>Writes the last chunk and trailer fields already parsed (by HttpClient, on the YARP path).</summary>
    public static void WriteEnd(PipeWriter writer, IHeaderDictionary trailers)
    {
        writer.Write("0\r\n"u8);
        foreach (var (name, values) in trailers)
        {
            if (!TrailerFields.IsForwarded(name))
            {
                continue;
            }

            foreach (var value in values)
            {
                if (value is null || value.AsSpan().ContainsAny('\r', '\n', '\0'))
                {
                    continue; // HttpClient refuses these already; never let one split the response
                }

                // Latin-1 is how HTTP/1.1 carries field bytes.
                WriteField(writer, Encoding.Latin1.GetBytes(name), Encoding.Latin1.GetBytes(value));
            }
        }

        writer.Write(s_crlf);
    }

    private static void WriteField(PipeWriter writer, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        writer.Write(name);
        writer.Write(": "u8);
        writer.Write(value);
        writer.Write(s_crlf);
    }
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Balancer.Tests.Common;

namespace Balancer.Tests.Http.Differential;

/// <summary>
/// One side of a differential case as text to compare: what the backend received (each request's line, its header
/// lines sorted — normalised for order only —, body and trailers) and what the client received (each response's
/// status line, sorted header lines with the Date value masked, body, and whether the connection was closed). Two
/// things cannot be equal and are masked: the backend's own address (each side has its recorder) and the random parts
/// of a <c>traceparent</c> Balancer wrote when a tracer in this process samples (another test's listener, running in
/// parallel): its span id, and its trace id too when the client sent none (a new trace, random per request).
/// </summary>
internal static partial class ExchangeView
{
    public static string Describe(IReadOnlyList<RecordedRequest> received, string backendAddress, RawExchange exchange, string clientRequest)
    {
        var text = new StringBuilder();
        foreach (var request in received)
        {
            text.Append(">> ").Append(Escape($"{request.Method} {request.Target} {request.Version}")).Append('\n');
            foreach (var line in request.Headers.Select(h => $"{h.Name}: {h.Value}").Order(StringComparer.Ordinal))
            {
                var masked = TraceParent().Replace(line, m => Mask(m, clientRequest));
                text.Append(">> ").Append(Escape(masked.Replace(backendAddress, "{backend}", StringComparison.Ordinal))).Append('\n');
            }

            text.Append(">> body ").Append(Body(request.Body)).Append('\n');
            foreach (var (name, value) in request.Trailers)
            {
                text.Append(">> trailer ").Append(Escape($"{name}: {value}")).Append('\n');
            }

            foreach (var anomaly in request.Anomalies)
            {
                text.Append(">> anomaly ").Append(anomaly).Append('\n');
            }
        }

        foreach (var line in Responses(exchange.Response))
        {
            text.Append("<< ").Append(line).Append('\n');
        }

        return text.Append(exchange.Closed ? "<< closed\n" : "<< open\n").ToString();
    }

    /// <summary>The responses in <paramref name="bytes"/>, head lines sorted; unparseable rest shown raw.</summary>
    private static IEnumerable<string> Responses(byte[] bytes)
    {
        var data = Encoding.Latin1.GetString(bytes);
        var at = 0;
        while (at < data.Length)
        {
            var end = data.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            if (!data.AsSpan(at).StartsWith("HTTP/1.") || end < 0)
            {
                yield return "raw " + Escape(data[at..]);
                yield break;
            }

            var lines = data[at..end].Split("\r\n");
            yield return Escape(lines[0]);
            var headers = lines.Skip(1).Select(l => l.StartsWith("Date:", StringComparison.OrdinalIgnoreCase) ? "Date: <date>" : l).Order(StringComparer.Ordinal).ToList();
            foreach (var header in headers)
            {
                yield return Escape(header);
            }

            at = end + 4;
            var status = int.Parse(lines[0].AsSpan(9, 3), CultureInfo.InvariantCulture);
            var length = headers.FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) is { } cl ? int.Parse(cl[15..], CultureInfo.InvariantCulture) : -1;
            var chunked = headers.Any(h => h.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase));
            string body;
            if (status is < 200 or 204 or 304 || (length > 0 && LooksLikeNextResponse(data, at)))
            {
                body = ""; // no body, or the answer to a HEAD (its length describes a body not sent)
            }
            else if (chunked)
            {
                body = Dechunk(data, ref at);
            }
            else
            {
                var take = length < 0 ? data.Length - at : Math.Min(length, data.Length - at);
                body = data.Substring(at, take);
                at += take;
            }

            yield return "body " + Body(Encoding.Latin1.GetBytes(body));
        }
    }

    private static bool LooksLikeNextResponse(string data, int at) => at == data.Length || data.AsSpan(at).StartsWith("HTTP/1.");

    private static string Dechunk(string data, ref int at)
    {
        var body = new StringBuilder();
        while (true)
        {
            var lineEnd = data.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (lineEnd < 0 || !int.TryParse(data.AsSpan(at, lineEnd - at).ToString().Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size))
            {
                body.Append("[bad chunk] ").Append(data[at..]);
                at = data.Length;
                return body.ToString();
            }

            at = lineEnd + 2;
            if (size == 0)
            {
                var trailersEnd = data.IndexOf("\r\n\r\n", at - 2, StringComparison.Ordinal);
                var trailers = trailersEnd < 0 ? "" : data[at..(trailersEnd + 2)];
                at = trailersEnd < 0 ? data.Length : trailersEnd + 4;
                return body.Append(trailers.Length > 0 ? $" [trailers {trailers.Trim()}]" : "").ToString();
            }

            body.Append(data.AsSpan(at, Math.Min(size, data.Length - at)));
            at = Math.Min(data.Length, at + size + 2);
        }
    }

    private static string Body(byte[] body) => body.Length <= 80
        ? $"{body.Length} \"{Escape(Encoding.Latin1.GetString(body))}\""
        : $"{body.Length} sha256:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(body))[..16]}";

    // Long lines (a 4 KB header) are shown by length and hash, so a difference report stays readable.
    private static string Escape(string text) => text.Length <= 200
        ? RecordedRequest.Escape(text)
        : $"{RecordedRequest.Escape(text[..60])}… ({text.Length} chars, sha256:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.Latin1.GetBytes(text)))[..16]})";

    private static string Mask(Match traceparent, string clientRequest)
    {
        var (trace, span) = (traceparent.Groups[1].Value, traceparent.Groups[2].Value);
        var masked = clientRequest.Contains(span, StringComparison.Ordinal) ? traceparent.Value : traceparent.Value.Replace(span, "{span}", StringComparison.Ordinal);
        return clientRequest.Contains(trace, StringComparison.Ordinal) ? masked : masked.Replace(trace, "{trace}", StringComparison.Ordinal);
    }

    [GeneratedRegex("^traceparent: 00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$", RegexOptions.IgnoreCase)]
    private static partial Regex TraceParent();
}

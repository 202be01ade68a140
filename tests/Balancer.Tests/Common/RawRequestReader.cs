using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Balancer.Tests.Common;

/// <summary>
/// Reads HTTP/1.1 requests off one socket the strict way (RFC 9112): CRLF line ends, Content-Length or chunked
/// framing. What it finds odd (a bare LF, a chunk size that is not plain hex) goes into the request's anomalies.
/// </summary>
internal sealed class RawRequestReader(Socket socket, CancellationToken cancellationToken)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private byte[] _pending = [];
    private List<(string, string)> _trailers = [];

    /// <summary>Bytes received that did not make up a whole request when the connection ended.</summary>
    public byte[] Leftover => _pending;

    /// <summary>The next whole request; null when the connection ends.</summary>
    public async Task<RecordedRequest?> ReadAsync()
    {
        var headEnd = await FillUntilAsync(() => IndexOf(_pending, "\r\n\r\n"u8));
        if (headEnd < 0)
        {
            return null;
        }

        var head = Encoding.Latin1.GetString(_pending, 0, headEnd);
        Consume(headEnd + 4);
        var lines = head.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        var headers = new List<(string, string)>();
        var anomalies = new List<string>();
        if (requestLine.Length != 3)
        {
            anomalies.Add($"request line is not three parts: {RecordedRequest.Escape(lines[0])}");
        }

        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line.Contains('\n', StringComparison.Ordinal))
            {
                anomalies.Add($"malformed header line: {RecordedRequest.Escape(line)}");
                continue;
            }

            headers.Add((line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }

        var partial = new RecordedRequest(requestLine[0], requestLine.ElementAtOrDefault(1) ?? "", requestLine.ElementAtOrDefault(2) ?? "", headers, []);
        _trailers = [];
        var body = partial.Values("Transfer-Encoding").Any() ? await ReadChunkedAsync(anomalies)
            : partial.Values("Content-Length").FirstOrDefault() is { } length ? await ReadLengthAsync(length, anomalies)
            : [];
        if (body is null)
        {
            return null;
        }

        var request = partial with { Body = body, Trailers = _trailers };
        request.Anomalies.AddRange(anomalies);
        if (lines.Any(l => l.Contains('\n', StringComparison.Ordinal)))
        {
            request.Anomalies.Add("bare LF in the header block");
        }

        return request;
    }

    private async Task<byte[]?> ReadLengthAsync(string text, List<string> anomalies)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            // Not a number, or more than this recorder will buffer: either way the test must not pass on it.
            anomalies.Add($"Content-Length is not a number under 2 GiB: {RecordedRequest.Escape(text)}");
            return [];
        }

        return await FillUntilAsync(() => _pending.Length >= length ? length : -1) < 0 ? null : Take(length);
    }

    private async Task<byte[]?> ReadChunkedAsync(List<string> anomalies)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var lineEnd = await FillUntilAsync(() => IndexOf(_pending, "\r\n"u8));
            if (lineEnd < 0)
            {
                return null;
            }

            var sizeLine = Encoding.Latin1.GetString(Take(lineEnd + 2), 0, lineEnd);
            var sizeText = sizeLine.Split(';')[0];
            if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                anomalies.Add($"bad chunk size line: {RecordedRequest.Escape(sizeLine)}");
                return [];
            }

            if (size == 0)
            {
                // Trailers, then the empty line.
                var trailersEnd = await FillUntilAsync(() => _pending.AsSpan().StartsWith("\r\n"u8) ? 0 : IndexOf(_pending, "\r\n\r\n"u8) is var at and >= 0 ? at + 2 : -1);
                if (trailersEnd < 0)
                {
                    return null;
                }

                var trailers = Encoding.Latin1.GetString(Take(trailersEnd + 2), 0, trailersEnd);
                foreach (var line in trailers.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    _trailers.Add(colon > 0 ? (line[..colon], line[(colon + 1)..].Trim(' ', '\t')) : (line, ""));
                }

                return body.ToArray();
            }

            if (await FillUntilAsync(() => _pending.Length >= size + 2 ? size : -1) < 0)
            {
                return null;
            }

            body.Write(Take(size));
            if (!Take(2).AsSpan().SequenceEqual("\r\n"u8))
            {
                anomalies.Add("chunk data not followed by CRLF");
            }
        }
    }

    /// <summary>Receives until <paramref name="found"/> gives a non-negative answer; -1 when the connection ends first.</summary>
    private async Task<int> FillUntilAsync(Func<int> found)
    {
        int at;
        while ((at = found()) < 0)
        {
            var read = await socket.ReceiveAsync(_buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return -1;
            }

            _pending = [.. _pending, .. _buffer.AsSpan(0, read)];
        }

        return at;
    }

    private byte[] Take(int count)
    {
        var taken = _pending[..count];
        Consume(count);
        return taken;
    }

    private void Consume(int count) => _pending = _pending[count..];

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> value) => data.AsSpan().IndexOf(value);
}

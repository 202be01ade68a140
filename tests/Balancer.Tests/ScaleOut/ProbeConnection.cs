using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Balancer.Tests.ScaleOut;

/// <summary>One response as a probe saw it: the status, which node proxied it and which backend answered.</summary>
public sealed record ProbeResponse(int Status, string? Node, string? Backend, string? SetCookie, bool Closes);

/// <summary>
/// One HTTP/1.1 connection from a namespace (<see cref="NetnsSockets"/>), raw over its socket so that a test knows
/// exactly which connection each request used: no pooling, no retry, no reconnect behind its back. Understands what
/// the demo backends answer: a body framed by Content-Length, chunked, or by the close.
/// </summary>
public sealed class ProbeConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[16384];
    private int _start;
    private int _end;

    private ProbeConnection(Socket socket) => _socket = socket;

    /// <summary>Whether any byte of the last request's response came: a client may retry a request that got none (RFC 9110 §9.2.2).</summary>
    public bool ResponseStarted { get; private set; }

    /// <summary>The client port: which flow the router hashed.</summary>
    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>Connects from <paramref name="sockets"/>' namespace to <paramref name="target"/>.</summary>
    public static async Task<ProbeConnection> ConnectAsync(NetnsSockets sockets, IPEndPoint target, CancellationToken cancellationToken)
    {
        var socket = await sockets.CreateAsync();
        try
        {
            await socket.ConnectAsync(target, cancellationToken);
            return new ProbeConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One request on a new connection, which the server is asked to close; throws when it fails in any way.</summary>
    public static async Task<ProbeResponse> GetOnceAsync(NetnsSockets sockets, IPEndPoint target, string path, string headers, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await using var connection = await ConnectAsync(sockets, target, cts.Token);
        return await connection.GetAsync(path, headers + "Connection: close\r\n", cts.Token);
    }

    /// <summary>Sends GET <paramref name="path"/> with <paramref name="headers"/> (CRLF-terminated lines) and reads the whole response.</summary>
    public async Task<ProbeResponse> GetAsync(string path, string headers, CancellationToken cancellationToken)
    {
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: vip\r\n{headers}\r\n");
        ResponseStarted = false;
        await _socket.SendAsync(request, cancellationToken);
        var head = await ReadHeadAsync(cancellationToken);
        var lines = head.Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var fields = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .ToLookup(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var closes = fields["Connection"].Any(v => v.Contains("close", StringComparison.OrdinalIgnoreCase));
        if (fields["Content-Length"].FirstOrDefault() is { } length)
        {
            await SkipAsync(int.Parse(length, CultureInfo.InvariantCulture), cancellationToken);
        }
        else if (fields["Transfer-Encoding"].Any(v => v.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            await SkipChunkedAsync(cancellationToken);
        }
        else
        {
            while (await FillAsync(cancellationToken))
            {
                _start = _end;
            }

            closes = true;
        }

        return new ProbeResponse(status, fields["X-Peer-Address"].FirstOrDefault(), fields["X-Backend"].FirstOrDefault(), fields["Set-Cookie"].FirstOrDefault(), closes);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<string> ReadHeadAsync(CancellationToken cancellationToken) => await ReadLineAsync("\r\n\r\n", cancellationToken);

    private async Task<string> ReadLineAsync(string terminator, CancellationToken cancellationToken)
    {
        while (true)
        {
            var text = Encoding.Latin1.GetString(_buffer, _start, _end - _start);
            var at = text.IndexOf(terminator, StringComparison.Ordinal);
            if (at >= 0)
            {
                _start += at + terminator.Length;
                return text[..at];
            }

            if (!await FillAsync(cancellationToken))
            {
                throw new IOException("the connection closed before the end of the response head");
            }
        }
    }

    private async Task SkipAsync(int count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                throw new IOException("the connection closed in the middle of the body");
            }

            var take = Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private async Task SkipChunkedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var size = int.Parse((await ReadLineAsync("\r\n", cancellationToken)).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                await ReadLineAsync("\r\n", cancellationToken); // no trailers from the demo backends
                return;
            }

            await SkipAsync(size + 2, cancellationToken);
        }
    }

    /// <summary>Reads more bytes; false at the end of the stream.</summary>
    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            (_start, _end) = (0, _end - _start);
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        ResponseStarted |= read > 0;
        return read > 0;
    }
}

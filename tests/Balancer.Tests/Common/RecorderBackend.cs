using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Balancer.Tests.Common;

/// <summary>
/// A raw-socket HTTP/1.1 backend on 127.0.0.1:0 that parses what arrives strictly (see <see cref="RawRequestReader"/>),
/// records each request — request line, headers, body, trailers, framing anomalies — and answers a fixed 200, or
/// what a script gives for it (then closing the connection when the script says so). Not Kestrel on purpose: it must
/// see the bytes as they are, not a normalised view of them.
/// </summary>
public sealed class RecorderBackend : IAsyncDisposable
{
    private static readonly byte[] s_response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"u8.ToArray();
    private readonly Func<RecordedRequest, (byte[] Response, bool Close)> _respond;
    private readonly TcpListener _listener;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private RecorderBackend(Func<RecordedRequest, (byte[] Response, bool Close)>? respond)
    {
        _respond = respond ?? (_ => (s_response, false));
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(256);
        _acceptLoop = AcceptLoop();
    }

    /// <summary>The address as an http pool's config writes it.</summary>
    public string ConfigAddress => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Requests received since the last <see cref="Clear"/>, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static RecorderBackend Start(Func<RecordedRequest, (byte[] Response, bool Close)>? respond = null) => new(respond);

    public void Clear() => _requests.Clear();

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _sockets.Add(socket);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var reader = new RawRequestReader(socket, _stop.Token);
        try
        {
            while (await reader.ReadAsync() is { } request)
            {
                _requests.Enqueue(request);
                var (response, close) = _respond(request);
                await socket.SendAsync(response);
                if (close)
                {
                    socket.Shutdown(SocketShutdown.Both);
                    return;
                }
            }

            if (reader.Leftover.Length > 0)
            {
                // Bytes that never became a whole request: record them so a test sees a half-smuggled message.
                var partial = new RecordedRequest("?", "?", "?", [], reader.Leftover) { Cut = true };
                partial.Anomalies.Add($"connection ended inside a request: {RecordedRequest.Escape(Encoding.Latin1.GetString(reader.Leftover))}");
                _requests.Enqueue(partial);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        await _acceptLoop;
        _stop.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;

namespace Balancer.Http;

/// <summary>
/// The backend of the start-up warm-up: an HTTP/1.1 responder on 127.0.0.1 (an ephemeral port) that reads a request
/// head and answers <c>200 ok</c> with <c>Connection: close</c>, so that the warm-up runs a forwarder end to end
/// without sending anything to a configured backend. It counts what it answered; disposing stops it.
/// </summary>
internal sealed class WarmUpSink : IDisposable
{
    private static readonly byte[] s_response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nok"u8.ToArray();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private int _answered;

    public WarmUpSink()
    {
        _listener.Start();
        Address = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _ = AcceptAsync();
    }

    /// <summary>The sink as a backend address, <c>http://127.0.0.1:PORT</c>.</summary>
    public string Address { get; }

    /// <summary>Requests answered so far.</summary>
    public int Answered => Volatile.Read(ref _answered);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                _ = AnswerAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    private async Task AnswerAsync(Socket client)
    {
        using (client)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var buffer = new byte[8192];
            var length = 0;
            try
            {
                // The warm-up sends a bodiless request: its head ends the first blank line.
                while (length < buffer.Length && buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) < 0)
                {
                    var read = await client.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, timeout.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    length += read;
                }

                await client.SendAsync(s_response, SocketFlags.None, timeout.Token);
                Interlocked.Increment(ref _answered);
                client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The warm-up gave up or the sink stopped.
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Balancer.Tests.Common;

/// <summary>
/// A raw TCP backend on 127.0.0.1:0 that counts accepts and open connections. By default it echoes
/// every byte and, when the client half-closes, finishes echoing and half-closes too; a custom
/// <c>handler</c> scripts other behaviour (greetings, half-close first, reset).
/// </summary>
public sealed class TestTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<Socket, Task> _handler;
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly Task _acceptLoop;
    private int _accepts;
    private int _open;

    private TestTcpServer(Func<Socket, Task>? handler)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        _handler = handler ?? EchoAsync;
        _acceptLoop = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The address as a tcp pool's config writes it.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public int Accepts => Volatile.Read(ref _accepts);

    /// <summary>Connections accepted whose handler has not finished.</summary>
    public int Open => Volatile.Read(ref _open);

    public static TestTcpServer Start(Func<Socket, Task>? handler = null) => new(handler);

    /// <summary>Echoes until the client's FIN, then sends FIN.</summary>
    public static async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read));
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Reads until FIN and returns everything read.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return all.ToArray();
    }

    /// <summary>Resets every open connection (SO_LINGER 0, then close: RST, not FIN).</summary>
    public void ResetAll()
    {
        foreach (var socket in _sockets)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        ResetAll();
        await _acceptLoop;
    }

    private async Task AcceptLoop()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepts);
            Interlocked.Increment(ref _open);
            _sockets.Add(socket);
            _ = Task.Run(async () =>
            {
                try
                {
                    await _handler(socket);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
                {
                }
                finally
                {
                    Interlocked.Decrement(ref _open);
                    socket.Dispose();
                }
            });
        }
    }
}

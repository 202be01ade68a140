using System.Net;
using System.Net.Sockets;

namespace Balancer.Tests.Common;

/// <summary>Raw client sockets for tcp listener tests.</summary>
public static class TcpTestClient
{
    /// <summary>Connects to <paramref name="address"/> (<c>ip:port</c>).</summary>
    public static async Task<Socket> ConnectAsync(string address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPEndPoint.Parse(address));
        return socket;
    }

    /// <summary>Reads until FIN or reset, bounded by <paramref name="timeout"/> (a hang fails the test).</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
            {
                all.Write(buffer, 0, read);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the connection did not end within {timeout.TotalSeconds} s");
        }

        return all.ToArray();
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, bounded by 10 s.</summary>
    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[count];
        var total = 0;
        while (total < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cts.Token);
            if (read == 0)
            {
                throw new EndOfStreamException($"connection closed after {total} of {count} bytes");
            }

            total += read;
        }

        return buffer;
    }
}

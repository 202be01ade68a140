using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Balancer.Chaos.Pair;

/// <summary>
/// <c>balancer-chaos client --target IP:PORT --duration S</c>, run in the client namespace: one GET every 10 ms on a
/// fixed schedule, each on a new connection with its own 200 ms deadline (a request lost to a dead master fails alone
/// and never holds up the schedule), as bench/failover/client.py does. Prints "ok SENT_UNIX_MS" or "fail SENT_UNIX_MS
/// WHY" per request; at most duration / 10 ms requests.
/// </summary>
internal static class ClientCommand
{
    private static readonly TimeSpan s_period = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_deadline = TimeSpan.FromMilliseconds(200);

    public static async Task<int> RunAsync(string target, TimeSpan duration)
    {
        var colon = target.LastIndexOf(':');
        var (host, port) = (target[..colon], int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        var clock = Stopwatch.StartNew();
        var count = (int)(duration / s_period);
        var pending = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            // Read the clock once: read twice, it could pass `due` in between and hand Task.Delay a negative wait
            // (it throws below -1 ms), which killed the client 4 minutes into a run on a host at load average 50.
            var wait = (s_period * i) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            pending.Add(OneAsync(host, port, request, output));
        }

        await Task.WhenAll(pending);
        return 0;
    }

    private static async Task OneAsync(string host, int port, byte[] request, StreamWriter output)
    {
        var sent = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string result;
        try
        {
            using var deadline = new CancellationTokenSource(s_deadline);
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(host, port, deadline.Token);
            await socket.SendAsync(request, SocketFlags.None, deadline.Token);
            var buffer = new byte[64];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            result = read >= 12 && Encoding.ASCII.GetString(buffer, 0, 12) == "HTTP/1.1 200" ? $"ok {sent}" : $"fail {sent} answer '{Encoding.ASCII.GetString(buffer, 0, Math.Min(read, 12))}'";
        }
        catch (OperationCanceledException)
        {
            result = $"fail {sent} deadline";
        }
        catch (SocketException e)
        {
            result = $"fail {sent} {e.SocketErrorCode}";
        }

        lock (output)
        {
            output.WriteLine(result);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Balancer.Tests.Common;

namespace Balancer.Tests.Http;

/// <summary>
/// A client that resets its connection before sending a byte (a link flap in the chaos run, #17): no error with a
/// stack trace in the log, as Kestrel treats a reset itself (debug level), and the listener serves on.
/// </summary>
public sealed class ClientResetTests
{
    [Fact]
    public async Task ResetBeforeTheFirstByte_NoErrorLogged()
    {
        await using var backend = await TestBackend.StartAsync("b1");
        var log = new LogSink();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (backend.ConfigAddress, 1)), watch: false, logSink: log);
        var listener = IPEndPoint.Parse(balancer.Server.State.BoundListeners["web"]);
        for (var i = 0; i < 20; i++)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { LingerState = new LingerOption(true, 0) };
            await socket.ConnectAsync(listener);
            socket.Close(); // linger 0: RST, nothing sent
        }

        using var client = balancer.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/after")).StatusCode);
        Assert.DoesNotContain(log.Lines, l => l.Contains("Unhandled exception", StringComparison.Ordinal) || l.Contains("   at ", StringComparison.Ordinal));
    }
}

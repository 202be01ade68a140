using System.Net;
using System.Net.Sockets;
using Balancer.Tests.Common;

namespace Balancer.Tests.Http;

/// <summary>Backends that die under a request, as the chaos run (bench/chaos) makes them: what the client gets, what the log says.</summary>
public sealed class BackendFailureTests
{
    [Fact]
    public async Task BackendResetWhileBodySent_502_NoErrorLogged()
    {
        // Answers a GET; of a POST reads the head and some of the body, then resets the connection (SO_LINGER 0):
        // a backend killed mid-upload.
        await using var backend = TestTcpServer.Start(async socket =>
        {
            var buffer = new byte[64 * 1024];
            var total = await socket.ReceiveAsync(buffer);
            if (buffer[0] == (byte)'G')
            {
                await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
                return;
            }

            while (total < 256 * 1024)
            {
                total += await socket.ReceiveAsync(buffer);
            }

            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        });
        var logs = new LogSink();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", ($"http://{backend.Address}", 1)), logSink: logs);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1 };
        using var client = new HttpClient(handler) { BaseAddress = balancer.ProxyAddress, Timeout = TimeSpan.FromSeconds(30) };

        using var response = await client.PostAsync("/upload", new ByteArrayContent(new byte[8 * 1024 * 1024]));
        // The next request waits for Kestrel to finish the first one (and drain its body) on the one connection.
        using var next = await client.GetAsync("/after");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.DoesNotContain(logs.Lines, l => l.Contains("automatic draining", StringComparison.Ordinal) || l.StartsWith("Error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostToDeadBackend_ConnectRefused_SentToAnotherWithItsBody()
    {
        var dead = $"http://127.0.0.1:{Health.ActiveHealthTests.ClosedPort()}"; // nothing listens: a backend killed before its ejection
        await using var alive = await TestBackend.StartAsync("alive");
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (dead, 1), (alive.ConfigAddress, 1)));
        using var client = balancer.CreateClient();

        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsync("/echo", new StringContent($"body {i}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($"body {i}", await response.Content.ReadAsStringAsync());
        }

        Assert.False(await balancer.IsHealthyAsync(dead)); // and the dead one was ejected on the way
    }

    [Fact]
    public async Task GetToBackendThatClosesWithoutAnswer_SentToAnother()
    {
        // Reads a request and closes the connection without a byte of answer: a backend killed while it worked.
        await using var dying = TestTcpServer.Start(async socket =>
        {
            await socket.ReceiveAsync(new byte[16 * 1024]);
            socket.Shutdown(SocketShutdown.Both);
        });
        await using var alive = await TestBackend.StartAsync("alive");
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", ($"http://{dying.Address}", 1), (alive.ConfigAddress, 1)));
        using var client = balancer.CreateClient();

        for (var i = 0; i < 6; i++)
        {
            using var response = await client.GetAsync($"/{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(dying.Accepts > 0);
    }

    [Fact]
    public async Task PostAfterBackendClosedItsIdleConnection_SentOnANewConnection()
    {
        // Found by the chaos run: a backend's connections were reset while idle (no request in flight, so no ejection);
        // the next POST took a dead pooled connection, its body could not be sent again elsewhere, and it got 502.
        var closed = new TaskCompletionSource();
        await using var backend = TestTcpServer.Start(async socket =>
        {
            var reader = new RawRequestReader(socket, CancellationToken.None);
            if (await reader.ReadAsync() is not null)
            {
                await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray());
            }

            socket.Shutdown(SocketShutdown.Both); // keep-alive was not refused: the balancer pools the connection
            closed.TrySetResult();
        });
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", ($"http://{backend.Address}", 1)));
        using var client = balancer.CreateClient();

        Assert.Equal("ok", await client.GetStringAsync("/first"));
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        using var response = await client.PostAsync("/second", new StringContent("payload"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

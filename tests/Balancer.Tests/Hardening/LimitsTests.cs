using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Balancer.Tests.Common;

namespace Balancer.Tests.Hardening;

/// <summary>Listener limits under hostile clients, with small timeouts so real-time waits stay short and bounded.</summary>
public sealed class LimitsTests : ThreeBackends
{
    private string Config(string limits) => $$"""
        {
          "listeners": { "web": { "bind": "127.0.0.1:0", "routes": [ { "pool": "web" } ], "limits": { {{limits}} } } },
          "pools": { "web": { "backends": [ { "address": "{{Backends[0].ConfigAddress}}" } ] } },
          "admin": { "bind": "127.0.0.1:0" }
        }
        """;

    [Fact]
    public async Task Slowloris_HeadersTrickled_ClosedWithinTimeoutWhileOthersServed()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("\"requestHeadersTimeout\": \"1s\""));
        using var socket = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        var closed = ClosedAfterAsync(socket);
        using var client = balancer.CreateClient();
        var legit = client.GetAsync("/"); // served meanwhile, on its own connection

        // One byte every 200 ms, for at most 12 s: far slower than the 1 s header timeout allows for a whole header block.
        await TrickleUntilClosedAsync(socket, closed, () => "X"u8.ToArray());

        // Kestrel checks the timeout on its 1 s heartbeat, so ~2 s is usual; 8 s leaves room for a busy machine and is
        // still far under Kestrel's own 30 s default, which would mean the configured timeout was not applied.
        var after = await closed.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.True(after < TimeSpan.FromSeconds(8), $"closed after {after.TotalSeconds:0.0} s");
        using var response = await legit.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task SlowBody_BelowMinDataRate_ConnectionCut()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("\"minRequestBodyDataRate\": 240, \"minDataRateGracePeriod\": \"1.5s\""));
        using var socket = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
        await socket.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"u8.ToArray());
        var closed = ClosedAfterAsync(socket);

        // 10 bytes per 200 ms is 50 B/s, far under 240 B/s; unbounded, 100 kB would take half an hour.
        await TrickleUntilClosedAsync(socket, closed, () => Encoding.ASCII.GetBytes(new string('b', 10)));

        var after = await closed.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.True(after < TimeSpan.FromSeconds(9), $"cut after {after.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task ManyIdleConnections_OverLimitRefused_IdleOnesTimedOut()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("\"maxConcurrentConnections\": 10, \"requestHeadersTimeout\": \"1s\""));
        var idle = new List<Socket>();
        for (var i = 0; i < 10; i++)
        {
            idle.Add(await TcpTestClient.ConnectAsync(balancer.ListenerAddress));
        }

        // Kestrel counts a connection once its accept loop has taken it: until all ten are counted an eleventh may still
        // be served, so it is tried until refused (and a served one is closed at once, holding no slot).
        await Wait.Until(
            async () =>
            {
                var over = await RawHttpClient.ExchangeAsync(balancer.ListenerAddress, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray(), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(2));
                return over.Closed && over.Statuses.Count == 0;
            },
            TimeSpan.FromSeconds(10),
            "an 11th connection refused");

        // The idle ones sent no byte: the header timeout closes them (it bounds the h2c preface sniffing too), freeing the slots.
        foreach (var socket in idle)
        {
            Assert.Empty(await TcpTestClient.ReadToEndAsync(socket, TimeSpan.FromSeconds(4)));
            socket.Dispose();
        }

        using var client = balancer.CreateClient();
        using var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OversizedBody_413AndBackendNotCalled()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("\"maxRequestBodySize\": 1024"));
        using var client = balancer.CreateClient();
        var before = Backends[0].Requests;

        using var big = await client.PostAsync("/echo", new ByteArrayContent(new byte[2048]));
        using var small = await client.PostAsync("/echo", new ByteArrayContent(new byte[512]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(before + 1, Backends[0].Requests);
    }

    /// <summary>
    /// Completes with the time from now until the peer ended the connection (FIN or RST; a 408 sent first is read and
    /// dropped). Reading on its own task keeps the measurement independent of the sender's pace.
    /// </summary>
    private static async Task<TimeSpan> ClosedAfterAsync(Socket socket)
    {
        var watch = Stopwatch.StartNew();
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        return watch.Elapsed;
    }

    /// <summary>Sends a chunk every 200 ms until the connection is closed, or 60 times (12 s) at most.</summary>
    private static async Task TrickleUntilClosedAsync(Socket socket, Task closed, Func<byte[]> chunk)
    {
        for (var i = 0; i < 60 && !closed.IsCompleted; i++)
        {
            try
            {
                await socket.SendAsync(chunk());
            }
            catch (SocketException)
            {
                break;
            }

            await Task.WhenAny(closed, Task.Delay(200));
        }

        Assert.True(closed.IsCompleted || await Task.WhenAny(closed, Task.Delay(1000)) == closed, "the trickling connection was never closed");
    }
}

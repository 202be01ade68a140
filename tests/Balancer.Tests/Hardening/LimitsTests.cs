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
        var watch = Stopwatch.StartNew();
        using var client = balancer.CreateClient();

        // One byte every 200 ms: slower than the 1 s header timeout allows for a whole header block.
        var closed = false;
        var legit = HttpStatusCode.InternalServerError;
        for (var i = 0; i < 40 && !closed; i++)
        {
            closed = !await TrySendAsync(socket, "X"u8.ToArray()) || (socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0);
            if (i == 2)
            {
                using var response = await client.GetAsync("/");
                legit = response.StatusCode;
            }

            await Task.Delay(200);
        }

        Assert.True(closed, "the trickling connection was never closed");
        // Kestrel checks the timeout on its 1 s heartbeat: allow the timeout, two beats and a busy machine
        // (unbounded, the trickle would run 8 s).
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"closed after {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(HttpStatusCode.OK, legit);
    }

    [Fact]
    public async Task SlowBody_BelowMinDataRate_ConnectionCut()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("\"minRequestBodyDataRate\": 240, \"minDataRateGracePeriod\": \"1.5s\""));
        using var socket = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
        await socket.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"u8.ToArray());
        var watch = Stopwatch.StartNew();

        var cut = false;
        for (var i = 0; i < 40 && !cut; i++)
        {
            // 10 bytes per 200 ms is 50 B/s, far under 240 B/s.
            cut = !await TrySendAsync(socket, Encoding.ASCII.GetBytes(new string('b', 10))) || (socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0);
            await Task.Delay(200);
        }

        Assert.True(cut, "a body trickled at 50 B/s was not cut off");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(7), $"cut after {watch.Elapsed.TotalSeconds:0.0} s");
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

        await Task.Delay(200);
        var over = await RawHttpClient.ExchangeAsync(balancer.ListenerAddress, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(2));
        Assert.True(over.Closed && over.Statuses.Count == 0, $"the 11th connection was served: {over}");

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

    private static async Task<bool> TrySendAsync(Socket socket, byte[] bytes)
    {
        try
        {
            await socket.SendAsync(bytes);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

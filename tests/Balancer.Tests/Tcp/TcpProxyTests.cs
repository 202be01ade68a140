using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Balancer.Tests.Common;

namespace Balancer.Tests.Tcp;

/// <summary>The L4 data path over real sockets: integrity, half-close both ways, resets.</summary>
public sealed class TcpProxyTests
{
    private static readonly TimeSpan s_end = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Proxy_FiftyConcurrentConnections_EchoFourMiBIntactBothWays()
    {
        await using var a = TestTcpServer.Start();
        await using var b = TestTcpServer.Start();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", "", "", a.Address, b.Address));

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => EchoRoundTripAsync(balancer.ListenerAddress, 4 * 1024 * 1024, seed: i)));

        Assert.All(results, r => Assert.Equal(r.Sent, r.Received));
        Assert.Equal(50, a.Accepts + b.Accepts);
        var status = await balancer.BackendStatusAsync("db", a.Address);
        Assert.Equal(a.Accepts * 4L * 1024 * 1024, status.GetProperty("bytesIn").GetInt64());
        Assert.Equal(a.Accepts * 4L * 1024 * 1024, status.GetProperty("bytesOut").GetInt64());
    }

    [Fact]
    public async Task ClientHalfClose_BackendSeesFin_ClientStillReceivesTheRest()
    {
        // The backend answers only after the client's FIN: it must arrive, and the answer must come back.
        await using var backend = TestTcpServer.Start(async socket =>
        {
            var request = await TestTcpServer.ReadToEndAsync(socket);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"got {request.Length} bytes"));
            socket.Shutdown(SocketShutdown.Send);
        });
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", "", "", backend.Address));
        using var client = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);

        await client.SendAsync(new byte[100_000]);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("got 100000 bytes", Encoding.ASCII.GetString(await TcpTestClient.ReadToEndAsync(client, s_end)));
    }

    [Fact]
    public async Task BackendHalfClose_ClientReadsEof_AndCanStillSend()
    {
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = TestTcpServer.Start(async socket =>
        {
            await socket.SendAsync("hello"u8.ToArray());
            socket.Shutdown(SocketShutdown.Send);
            received.SetResult(Encoding.ASCII.GetString(await TestTcpServer.ReadToEndAsync(socket)));
        });
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", "", "", backend.Address));
        using var client = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);

        var greeting = await TcpTestClient.ReadToEndAsync(client, s_end);
        await client.SendAsync("still here"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("hello", Encoding.ASCII.GetString(greeting));
        Assert.Equal("still here", await received.Task.WaitAsync(s_end));
    }

    [Fact]
    public async Task BackendReset_MidStream_ClientConnectionEndsWithoutHang()
    {
        var midStream = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = TestTcpServer.Start(async socket =>
        {
            await socket.SendAsync(new byte[1000]);
            midStream.SetResult();
            await TestTcpServer.ReadToEndAsync(socket);
        });
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", "", "", backend.Address));
        using var client = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
        await TcpTestClient.ReadExactlyAsync(client, 1000);
        await midStream.Task;

        backend.ResetAll();

        // Ends (EOF or reset) within a few seconds, though the client never closes its side.
        await TcpTestClient.ReadToEndAsync(client, TimeSpan.FromSeconds(5));
        await Wait.Until(async () => (await balancer.BackendStatusAsync("db", backend.Address)).GetProperty("inflight").GetInt32() == 0, s_end, "connection counted closed");
    }

    [Fact]
    public async Task IdleTimeout_NoTrafficEitherWay_BothSidesClosed()
    {
        await using var backend = TestTcpServer.Start();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", """ "idleTimeout": "300ms", """, "", backend.Address));
        using var client = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
        await client.SendAsync("ping"u8.ToArray());
        Assert.Equal("ping", Encoding.ASCII.GetString(await TcpTestClient.ReadExactlyAsync(client, 4)));

        Assert.Empty(await TcpTestClient.ReadToEndAsync(client, s_end));
        await Wait.Until(() => backend.Open == 0, s_end, "backend side closed");
    }

    [Fact]
    public async Task Stop_OpenConnection_KeepsFlowingUntilClosedWhileNewOnesAreRefused()
    {
        await using var backend = TestTcpServer.Start();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", "", "", backend.Address), drainTimeout: TimeSpan.FromSeconds(30));
        using var client = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
        await client.SendAsync("one"u8.ToArray());
        await TcpTestClient.ReadExactlyAsync(client, 3);

        var stopping = balancer.Server.StopAsync();
        await Wait.Until(async () => await RefusedAsync(balancer.ListenerAddress), s_end, "listener stopped accepting");

        await client.SendAsync("two"u8.ToArray());
        Assert.Equal("two", Encoding.ASCII.GetString(await TcpTestClient.ReadExactlyAsync(client, 3)));
        Assert.False(stopping.IsCompleted);
        client.Shutdown(SocketShutdown.Send);
        Assert.Empty(await TcpTestClient.ReadToEndAsync(client, s_end));
        await stopping.WaitAsync(s_end);
    }

    private static async Task<bool> RefusedAsync(string address)
    {
        try
        {
            using var probe = await TcpTestClient.ConnectAsync(address);
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static async Task<(string Sent, string Received)> EchoRoundTripAsync(string address, int size, int seed)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        using var client = await TcpTestClient.ConnectAsync(address);
        var send = Task.Run(async () =>
        {
            for (var offset = 0; offset < data.Length; offset += 64 * 1024)
            {
                await client.SendAsync(data.AsMemory(offset, Math.Min(64 * 1024, data.Length - offset)));
            }

            client.Shutdown(SocketShutdown.Send);
        });
        var received = await TcpTestClient.ReadToEndAsync(client, TimeSpan.FromSeconds(60));
        await send;
        return (Convert.ToHexString(SHA256.HashData(data)), Convert.ToHexString(SHA256.HashData(received)));
    }
}

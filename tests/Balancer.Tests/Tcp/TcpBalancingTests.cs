using System.Net;
using System.Net.Sockets;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Tests.Common;

namespace Balancer.Tests.Tcp;

/// <summary>L4 backend choice: the shared algorithms, down backends, connection limits.</summary>
public sealed class TcpBalancingTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ClosedPortBackend_NewConnections_RetriedOnOthersAndEjected()
    {
        await using var a = TestTcpServer.Start();
        await using var b = TestTcpServer.Start();
        var closed = ClosedPort();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", "", "", closed, a.Address, b.Address));

        for (var i = 0; i < 9; i++)
        {
            Assert.Equal("ping", await PingAsync(balancer.ListenerAddress));
        }

        Assert.Equal(9, a.Accepts + b.Accepts);
        Assert.False(await balancer.IsHealthyAsync(closed, "db"));
    }

    [Fact]
    public async Task ConnectTimeout_SilentBackend_RetriedOnAnotherAndEjected()
    {
        await using var a = TestTcpServer.Start();
        // A listener that never accepts, its queue filled: Linux drops further SYNs, so connects hang.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(0);
        var silentAddress = $"127.0.0.1:{((IPEndPoint)silent.LocalEndPoint!).Port}";
        var fillers = new List<Socket>();
        for (var i = 0; i < 3; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _ = filler.ConnectAsync(silent.LocalEndPoint!);
            fillers.Add(filler);
        }

        await using var balancer = await TestBalancer.StartAsync(
            TestBalancer.TcpConfig("round-robin", """ "connectTimeout": "300ms", """, "", silentAddress, a.Address));

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("ping", await PingAsync(balancer.ListenerAddress));
        }

        var status = await balancer.BackendStatusAsync("db", silentAddress);
        Assert.False(status.GetProperty("healthy").GetBoolean());
        Assert.StartsWith("passive: connect timeout", status.GetProperty("healthReason").GetString());
        fillers.ForEach(f => f.Dispose());
    }

    [Fact]
    public async Task BackendMarkedDown_NewConnections_NeverReachIt()
    {
        await using var a = TestTcpServer.Start();
        await using var down = TestTcpServer.Start();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", "", "", a.Address, down.Address));
        var pool = balancer.Server.Pools.Get("db")!;
        // Marked down directly, past the health monitor: after the start's reload warm-up, which (as any reload does)
        // brings a backend's shown health back in line with the monitor's verdict (up: no probe, no ejection).
        await balancer.Server.ReloadWarmedUp.WaitAsync(TimeSpan.FromSeconds(30));
        pool.SetHealth(pool.Find(down.Address)!, BackendHealth.Down, "test");

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("ping", await PingAsync(balancer.ListenerAddress));
        }

        Assert.Equal(10, a.Accepts);
        Assert.Equal(0, down.Accepts);
    }

    [Fact]
    public async Task LeastConnections_LongLivedConnections_SpreadEvenly()
    {
        // least-connections lands with the algorithms branch; until then round-robin must spread evenly too.
        var algorithm = BalancingAlgorithms.IsKnown("least-connections") ? "least-connections" : BalancingAlgorithms.RoundRobin;
        TestTcpServer[] servers = [TestTcpServer.Start(), TestTcpServer.Start(), TestTcpServer.Start()];
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig(algorithm, "", "", [.. servers.Select(s => s.Address)]));
        var clients = new List<Socket>();
        try
        {
            for (var i = 1; i <= 9; i++)
            {
                clients.Add(await TcpTestClient.ConnectAsync(balancer.ListenerAddress));
                await Wait.Until(() => servers.Sum(s => s.Accepts) == i, s_wait, $"connection {i} accepted");
            }

            Assert.Equal([3, 3, 3], servers.Select(s => s.Open));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task MaxConnectionsPerBackend_AllFull_FullOnesSkippedThenRefused()
    {
        await using var a = TestTcpServer.Start();
        await using var b = TestTcpServer.Start();
        await using var balancer = await TestBalancer.StartAsync(
            TestBalancer.TcpConfig("round-robin", "", """ "maxConnectionsPerBackend": 2, """, a.Address, b.Address));
        var clients = new List<Socket>();
        for (var i = 0; i < 4; i++)
        {
            clients.Add(await TcpTestClient.ConnectAsync(balancer.ListenerAddress));
            await Wait.Until(() => a.Accepts + b.Accepts == clients.Count, s_wait, $"connection {i} accepted");
        }

        using var refused = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);

        Assert.Empty(await TcpTestClient.ReadToEndAsync(refused, s_wait));
        Assert.Equal((2, 2), (a.Open, b.Open));
        clients[0].Dispose();
        await Wait.Until(() => a.Open + b.Open == 3, s_wait, "a slot freed");
        Assert.Equal("ping", await PingAsync(balancer.ListenerAddress));
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task ListenerMaxConnections_Excess_Refused()
    {
        await using var a = TestTcpServer.Start();
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.TcpConfig("round-robin", """ "maxConnections": 2, """, "", a.Address));
        using var first = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
        using var second = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
        await Wait.Until(() => a.Accepts == 2, s_wait, "two connections proxied");

        using var third = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);

        Assert.Empty(await TcpTestClient.ReadToEndAsync(third, s_wait));
        Assert.Equal(2, a.Accepts);
    }

    private static async Task<string> PingAsync(string address)
    {
        using var client = await TcpTestClient.ConnectAsync(address);
        await client.SendAsync("ping"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        return System.Text.Encoding.ASCII.GetString(await TcpTestClient.ReadToEndAsync(client, s_wait));
    }

    /// <summary>A loopback port nobody listens on: bound, then released.</summary>
    private static string ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return $"127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}";
    }
}

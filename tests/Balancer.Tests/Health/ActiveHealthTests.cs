using System.Net;
using System.Net.Sockets;
using Balancer.Tests.Common;

namespace Balancer.Tests.Health;

public sealed class ActiveHealthTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task KilledBackend_DownByItsProbes_NoTrafficThenBackAfterRise()
    {
        await using var a = await TestBackend.StartAsync("a");
        var b = await TestBackend.StartAsync("b");
        var bPort = b.Address.Port;
        var bAddress = b.ConfigAddress;
        const string health = """ "health": { "probe": "http", "path": "/healthz", "interval": "200ms", "timeout": "100ms", "rise": 2, "fall": 3 }, """;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", health, (a.ConfigAddress, 1), (bAddress, 1)));
        await Wait.Until(async () => await balancer.IsHealthyAsync(a.ConfigAddress) && await balancer.IsHealthyAsync(bAddress), Generous, "both backends up");

        await b.DisposeAsync();
        // By the probes (the reason says so), not by passive health; when, in probe intervals, is HealthCheckerTests'
        // business, on a fake clock.
        await Wait.Until(async () => !await balancer.IsHealthyAsync(bAddress), Generous, "b marked down");
        Assert.Contains("3 consecutive failed probes", (await balancer.BackendStatusAsync("web", bAddress)).GetProperty("healthReason").GetString());
        using var client = balancer.CreateClient();
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/");
            Assert.Equal("a", response.Headers.GetValues("X-Backend").Single());
        }

        await using var revived = await TestBackend.StartAsync("b", bPort);
        await Wait.Until(() => balancer.IsHealthyAsync(bAddress), Generous, "b back up");
        Assert.Contains("2 consecutive successful probes", (await balancer.BackendStatusAsync("web", bAddress)).GetProperty("healthReason").GetString());
        for (var i = 0; i < 4; i++)
        {
            (await client.GetAsync("/")).EnsureSuccessStatusCode();
        }

        Assert.True(revived.Requests >= 2, "the revived backend takes traffic again");
    }

    [Fact]
    public async Task HungBackend_DownThroughProbeTimeouts()
    {
        using var hung = new TcpListener(IPAddress.Loopback, 0);
        hung.Start(); // accepts (the kernel completes the handshake), never answers
        var address = $"http://127.0.0.1:{((IPEndPoint)hung.LocalEndpoint).Port}";
        const string health = """ "health": { "probe": "http", "interval": "200ms", "timeout": "150ms", "fall": 2 }, """;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", health, (address, 1)));

        await Wait.Until(async () => (await balancer.BackendStatusAsync("web", address)).GetProperty("health").GetString() == "down", Generous, "hung backend down");

        Assert.StartsWith("first probe failed: timeout after 150ms", (await balancer.BackendStatusAsync("web", address)).GetProperty("healthReason").GetString());
        using var client = balancer.CreateClient();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/")).StatusCode);
    }

    [Theory]
    [InlineData(500, "ok", "", "status 500, expected 200-399")]
    [InlineData(200, "degraded", """ "expectBody": "ok", """, "body lacks 'ok'")]
    public async Task UnhealthyAnswer_MarkedDown(int status, string body, string extra, string reason)
    {
        await using var backend = await TestBackend.StartAsync("a");
        var health = $$""" "health": { "probe": "http", {{extra}} "interval": "200ms", "timeout": "500ms", "fall": 2, "rise": 1 }, """;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", health, (backend.ConfigAddress, 1)));
        await Wait.Until(() => balancer.IsHealthyAsync(backend.ConfigAddress), Generous, "backend up");

        backend.HealthStatus = status;
        backend.HealthBody = body;

        await Wait.Until(async () => !await balancer.IsHealthyAsync(backend.ConfigAddress), Generous, "backend down");
        Assert.Contains(reason, (await balancer.BackendStatusAsync("web", backend.ConfigAddress)).GetProperty("healthReason").GetString());
    }

    [Fact]
    public async Task TcpProbe_ListeningUp_ClosedDown()
    {
        await using var listening = await TestBackend.StartAsync("a");
        var closed = $"http://127.0.0.1:{ClosedPort()}";
        const string health = """ "health": { "probe": "tcp", "interval": "200ms", "timeout": "500ms" }, """;
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig("round-robin", health, (listening.ConfigAddress, 1), (closed, 1)));

        await Wait.Until(async () => (await balancer.BackendStatusAsync("web", closed)).GetProperty("health").GetString() == "down", Generous, "closed port down");
        await Wait.Until(() => balancer.IsHealthyAsync(listening.ConfigAddress), Generous, "listening port up");

        Assert.Equal("first probe failed: connection refused", (await balancer.BackendStatusAsync("web", closed)).GetProperty("healthReason").GetString());
        Assert.Equal(0, listening.HealthChecks); // a TCP probe sends no HTTP request
    }

    internal static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

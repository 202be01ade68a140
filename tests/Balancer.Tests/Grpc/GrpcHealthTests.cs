using System.Net;
using System.Net.Sockets;
using Balancer.Core.Configuration;
using Balancer.Health;
using Balancer.Tests.Common;
using Grpc.Health.V1;

namespace Balancer.Tests.Grpc;

/// <summary>The <c>grpc</c> probe: grpc.health.v1 against real gRPC servers, alone and driving a pool's health.</summary>
public sealed class GrpcHealthTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private static readonly HealthConfig Probe = new() { Probe = ProbeKinds.Grpc, Timeout = TimeSpan.FromSeconds(2) };

    [Fact]
    public async Task Probe_NotServingEjects_ServingReadmits()
    {
        await using var a = await GrpcTestBackend.StartAsync("a");
        await using var b = await GrpcTestBackend.StartAsync("b");
        const string health = """ "health": { "probe": "grpc", "interval": "100ms", "timeout": "1s", "rise": 2, "fall": 2 }, """;
        await using var balancer = await TestBalancer.StartAsync(GrpcClients.Config(health, a, b));
        await Wait.Until(async () => await balancer.IsHealthyAsync(a.ConfigAddress) && await balancer.IsHealthyAsync(b.ConfigAddress), Generous, "both up");
        using var channel = GrpcClients.Channel(balancer);
        var client = new Echo.EchoClient(channel);

        a.Health.SetStatus("", HealthCheckResponse.Types.ServingStatus.NotServing);
        await Wait.Until(async () => !await balancer.IsHealthyAsync(a.ConfigAddress), Generous, "a ejected");

        Assert.Equal("2 consecutive failed probes, last: NOT_SERVING", (await balancer.BackendStatusAsync("web", a.ConfigAddress)).GetProperty("healthReason").GetString());
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("b", (await client.UnaryAsync(new Msg(), deadline: GrpcClients.Deadline)).Backend);
        }

        a.Health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        await Wait.Until(async () => await balancer.IsHealthyAsync(a.ConfigAddress), Generous, "a readmitted");
        var backends = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            backends.Add((await client.UnaryAsync(new Msg(), deadline: GrpcClients.Deadline)).Backend);
        }

        Assert.Equal(5, backends.Count(x => x == "a"));
    }

    [Fact]
    public async Task HttpProbe_Http2Pool_ProbesOverH2()
    {
        // The backend speaks HTTP/2 only: an HTTP/1.1 probe would get a 400 or a reset.
        await using var a = await GrpcTestBackend.StartAsync("a");
        const string health = """ "health": { "probe": "http", "path": "/plain", "interval": "100ms", "expectBody": "HTTP/2" }, """;
        await using var balancer = await TestBalancer.StartAsync(GrpcClients.Config(health, a));

        await Wait.Until(async () => await balancer.IsHealthyAsync(a.ConfigAddress), Generous, "a up by its http probe over h2");
    }

    [Fact]
    public async Task ProbeAsync_ServingServerOrService_Passes()
    {
        await using var backend = await GrpcTestBackend.StartAsync("a");
        using var client = HttpProbe.CreateClient();
        var probe = new GrpcProbe(client);

        Assert.Equal(new(true, "SERVING"), await probe.ProbeAsync(backend.ConfigAddress, Probe, HttpVersions.Auto, CancellationToken.None));
        Assert.Equal(new(true, "SERVING"), await probe.ProbeAsync(backend.ConfigAddress, Probe with { Service = "balancer.test.Echo" }, HttpVersions.Http2, CancellationToken.None));
    }

    [Fact]
    public async Task ProbeAsync_NotServingUnknownOrUnknownService_FailsSayingWhy()
    {
        await using var backend = await GrpcTestBackend.StartAsync("a");
        using var client = HttpProbe.CreateClient();
        var probe = new GrpcProbe(client);
        backend.Health.SetStatus("balancer.test.Echo", HealthCheckResponse.Types.ServingStatus.Unknown);

        Assert.Equal(new(false, "UNKNOWN"), await probe.ProbeAsync(backend.ConfigAddress, Probe with { Service = "balancer.test.Echo" }, HttpVersions.Auto, CancellationToken.None));
        Assert.Equal(new(false, "grpc-status 5 NOT_FOUND"), await probe.ProbeAsync(backend.ConfigAddress, Probe with { Service = "nope" }, HttpVersions.Auto, CancellationToken.None));
        backend.Health.SetStatus("", HealthCheckResponse.Types.ServingStatus.NotServing);
        Assert.Equal(new(false, "NOT_SERVING"), await probe.ProbeAsync(backend.ConfigAddress, Probe, HttpVersions.Auto, CancellationToken.None));
    }

    [Fact]
    public async Task ProbeAsync_NotAGrpcServer_Fails()
    {
        await using var http11 = await TestBackend.StartAsync("plain");
        using var client = HttpProbe.CreateClient();

        var result = await new GrpcProbe(client).ProbeAsync(http11.ConfigAddress, Probe, HttpVersions.Auto, CancellationToken.None);

        Assert.False(result.Success);
    }

    [Fact]
    public async Task ProbeAsync_ServerNeverAnswers_FailsByTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var client = HttpProbe.CreateClient();

        var result = await new GrpcProbe(client).ProbeAsync($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}", Probe with { Timeout = TimeSpan.FromMilliseconds(300) }, HttpVersions.Auto, CancellationToken.None);

        Assert.Equal(new(false, "timeout after 300ms"), result);
    }
}

using System.Net;
using Balancer.Http;
using Balancer.Tests.Common;
using Microsoft.Extensions.Logging;

namespace Balancer.Tests.Http;

/// <summary>
/// The start-up warm-up of the proxy path (#17): one request through each HTTP listener's own pipeline, routed as
/// its first forwarding route, to a loopback sink; no backend sees it and no counter shows it.
/// </summary>
public sealed class ProxyWarmUpTests : IAsyncLifetime
{
    private TestBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await TestBackend.StartAsync("b1");

    public async Task DisposeAsync() => await _backend.DisposeAsync();

    [Fact]
    public async Task StartUp_ForwardsOneRequestThroughTheRouteToTheSink_NoBackendNoCounter()
    {
        var log = new LogSink();
        await using var balancer = await TestBalancer.StartAsync(Config(), watch: false, logSink: log, logLevel: LogLevel.Information);

        var line = Assert.Single(log.Lines, l => l.Contains("proxy path warmed up", StringComparison.Ordinal));
        Assert.Contains("(route 0: GET warm-up.example.com/api/1 to a loopback sink): forwarded, 200", line, StringComparison.Ordinal);
        Assert.Equal(0, _backend.Requests);
        var scrape = await MetricsScrape.TakeAsync(balancer);
        Assert.All(scrape.Values("balancer_requests_total"), v => Assert.Equal(0, v)); // its series start at 0
        Assert.DoesNotContain("warm-up", scrape.Text, StringComparison.Ordinal);

        using var client = balancer.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/x");
        request.Headers.Host = "www.example.com";
        request.Headers.Add("X-Env", "canary");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
        Assert.Equal(1, _backend.Requests);
    }

    [Fact]
    public async Task AfterStartUp_TheWarmUpHeaderIsAnOrdinaryHeader()
    {
        await using var balancer = await TestBalancer.StartAsync(Config(), watch: false);
        using var client = balancer.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/x");
        request.Headers.Host = "www.example.com";
        request.Headers.Add("X-Env", "canary");
        request.Headers.Add(ProxyWarmUp.HeaderName, "00000000000000000000000000000000");

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
        Assert.Equal(1, _backend.Requests);
    }

    private string Config() => $$"""
        {
          "listeners": { "web": { "protocol": "http", "bind": "127.0.0.1:0",
            "routes": [ { "hosts": ["*.example.com"], "path": "/api/{**rest}", "headers": [ { "name": "X-Env", "values": ["canary"] } ], "pool": "web" } ] } },
          "pools": { "web": { "backends": [ { "address": "{{_backend.ConfigAddress}}" } ] } },
          "admin": { "bind": "127.0.0.1:0" }
        }
        """;
}

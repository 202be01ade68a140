using System.Net;
using System.Text;
using Balancer.Tests.Common;

namespace Balancer.Tests.Hardening;

/// <summary>
/// Requests refused before routing, by Kestrel or by the request guard: the status HTTP/1.1 and HTTP/2 both get, and
/// <c>balancer_requests_refused_total{listener,reason}</c>, exported at 0 from the start.
/// </summary>
public sealed class RequestRefusalTests : ThreeBackends
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    // Each test its own listener name: every balancer in the test process shares the Balancer meter.
    private readonly string _listener = "refusals" + Guid.NewGuid().ToString("N")[..8];

    private string Config(string limits = "") => $$"""
        {
          "listeners": { "{{_listener}}": { "bind": "127.0.0.1:0", "routes": [ { "pool": "web" } ], "limits": { {{limits}} } } },
          "pools": { "web": { "backends": [ { "address": "{{Backends[0].ConfigAddress}}" } ] } },
          "admin": { "bind": "127.0.0.1:0" }
        }
        """;

    private static byte[] Get(string target, int extraHeaders = 0) => Encoding.ASCII.GetBytes(
        $"GET {target} HTTP/1.1\r\nHost: x\r\n{string.Concat(Enumerable.Range(0, extraHeaders).Select(i => $"X-H{i}: v\r\n"))}\r\n");

    private async Task<double> RefusedAsync(TestBalancer balancer, string reason) =>
        (await MetricsScrape.TakeAsync(balancer)).Single("balancer_requests_refused_total", $"listener=\"{_listener}\"", $"reason=\"{reason}\"");

    private static async Task<int> StatusAsync(TestBalancer balancer, byte[] request)
    {
        var exchange = await RawHttpClient.ExchangeAsync(balancer.ListenerAddress, request, TimeSpan.FromSeconds(2), Timeout);
        Assert.True(exchange.Statuses.Count > 0, $"no response: {exchange}");
        return exchange.Statuses[0];
    }

    [Fact]
    public async Task Start_EveryReason_ExportedAtZero()
    {
        await using var balancer = await TestBalancer.StartAsync(Config());

        var scrape = await MetricsScrape.TakeAsync(balancer);

        foreach (var reason in new[] { "method", "framing", "header_name", "header_value", "http2_malformed", "body_too_large", "uri_too_long", "headers_too_large", "timeout", "bad_request", "http2_stream_error", "http2_connection_error" })
        {
            Assert.Equal(0, scrape.Single("balancer_requests_refused_total", $"listener=\"{_listener}\"", $"reason=\"{reason}\""));
        }
    }

    [Fact]
    public async Task HeaderCount_OverDefault100_431Counted()
    {
        await using var balancer = await TestBalancer.StartAsync(Config());

        // A 2 KB request: far under the size limit, over the count.
        Assert.Equal(431, await StatusAsync(balancer, Get("/", extraHeaders: 100)));
        Assert.Equal(200, await StatusAsync(balancer, Get("/", extraHeaders: 98)));

        await Wait.Until(async () => await RefusedAsync(balancer, "headers_too_large") == 1, Timeout, "the 431 counted once");
        Assert.Equal(1, Backends[0].Requests);
    }

    [Fact]
    public async Task HeaderCount_Configured_AppliesToHttp1AndHttp2()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("\"maxRequestHeaderCount\": 200"));

        Assert.Equal(200, await StatusAsync(balancer, Get("/", extraHeaders: 150)));
        Assert.Equal(431, await StatusAsync(balancer, Get("/", extraHeaders: 200)));
        using var h2 = await H2RawClient.ConnectAsync(balancer.ListenerAddress);
        await h2.SendGetAsync(1, "/", [.. Enumerable.Range(0, 150).Select(i => ($"x-h{i}", "v"))]);
        Assert.Equal(200, (await h2.ReadOutcomeAsync(1, Timeout)).Status);
        await h2.SendGetAsync(3, "/", [.. Enumerable.Range(0, 200).Select(i => ($"x-h{i}", "v"))]);
        Assert.Equal(431, (await h2.ReadOutcomeAsync(3, Timeout)).Status);
    }

    [Fact]
    public async Task RequestLine_OverLimit_414ForHttp1AndHttp2AndCounted()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("\"maxRequestLineSize\": 1024"));
        var path = "/" + new string('a', 1100);

        Assert.Equal(414, await StatusAsync(balancer, Get(path)));
        using var h2 = await H2RawClient.ConnectAsync(balancer.ListenerAddress);
        await h2.SendGetAsync(1, path);
        Assert.Equal(414, (await h2.ReadOutcomeAsync(1, Timeout)).Status);
        // Just under the limit still passes: "GET " + target + " HTTP/1.1" is 1024 bytes.
        Assert.Equal(200, await StatusAsync(balancer, Get("/" + new string('a', 1024 - 14))));

        Assert.Equal(2, await RefusedAsync(balancer, "uri_too_long"));
        Assert.Equal(1, Backends[0].Requests);
    }

    [Fact]
    public async Task GuardAndKestrelRefusals_CountedByReason()
    {
        await using var balancer = await TestBalancer.StartAsync(Config());

        Assert.Equal(405, await StatusAsync(balancer, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"u8.ToArray()));
        Assert.Equal(400, await StatusAsync(balancer, "GET / HTTP/1.1\r\nHost: x\r\nConnection: content-length\r\n\r\n"u8.ToArray()));
        Assert.Equal(400, await StatusAsync(balancer, "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u000bb\r\n\r\n"u8.ToArray()));
        Assert.Equal(413, await StatusAsync(balancer, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n"u8.ToArray()));
        Assert.Equal(400, await StatusAsync(balancer, "GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"u8.ToArray()));
        using var h2 = await H2RawClient.ConnectAsync(balancer.ListenerAddress);
        await h2.SendGetAsync(1, "/", ("transfer-encoding", "chunked"));
        Assert.Equal(400, (await h2.ReadOutcomeAsync(1, Timeout)).Status);

        foreach (var reason in new[] { "method", "framing", "header_value", "body_too_large", "bad_request", "http2_malformed" })
        {
            await Wait.Until(async () => await RefusedAsync(balancer, reason) == 1, Timeout, $"{reason} counted once");
        }

        var scrape = await MetricsScrape.TakeAsync(balancer);
        Assert.Equal(6, scrape.Values("balancer_requests_refused_total", $"listener=\"{_listener}\"").Sum());
        Assert.Equal(0, Backends[0].Requests);
    }
}

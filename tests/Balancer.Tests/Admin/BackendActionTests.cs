using System.Net;
using System.Text;
using System.Text.Json;
using Balancer.Tests.Common;
using Microsoft.Extensions.Logging;

namespace Balancer.Tests.Admin;

/// <summary>drain/enable over HTTP, with paths sent byte for byte as curl would send them.</summary>
public sealed class BackendActionTests : IAsyncLifetime
{
    private readonly LogSink _logs = new();
    private TestBalancer _balancer = null!;

    public async Task InitializeAsync() =>
        _balancer = await TestBalancer.StartAsync(
            TestBalancer.PoolConfig("round-robin", "\"health\": { \"probe\": \"none\" },", ("http://127.0.0.1:5001", 1), ("http://127.0.0.1:5002", 1), ("https://127.0.0.1:5002", 1)),
            watch: false,
            logSink: _logs,
            logLevel: LogLevel.Information);

    public async Task DisposeAsync() => await _balancer.DisposeAsync();

    private async Task<(int Status, string Body)> PostAsync(string rawPath)
    {
        var request = Encoding.ASCII.GetBytes($"POST {rawPath} HTTP/1.1\r\nHost: admin\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        var exchange = await RawHttpClient.ExchangeAsync(_balancer.AdminAddress.Authority, request, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        var text = Encoding.UTF8.GetString(exchange.Response);
        return (exchange.Statuses.Single(), text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }

    private async Task<bool> DrainingAsync(string address) => (await _balancer.BackendStatusAsync("web", address)).GetProperty("draining").GetBoolean();

    [Fact]
    public async Task Drain_DoubleEncodedAddress_DecodedOnce_NothingDrained()
    {
        var (status, body) = await PostAsync("/pools/web/backends/http%253A%252F%252F127.0.0.1%253A5001/drain");

        Assert.Equal(404, status);
        Assert.Contains("pool 'web' has no backend 'http%3A%2F%2F127.0.0.1%3A5001'", body, StringComparison.Ordinal);
        Assert.False(await DrainingAsync("http://127.0.0.1:5001"));
    }

    [Fact]
    public async Task Drain_UnencodedAddress_404WithTheEncodedPathAsHint()
    {
        var (status, body) = await PostAsync("/pools/web/backends/http://127.0.0.1:5001/drain");

        Assert.Equal(404, status);
        Assert.Contains(
            "the address must be one path segment: percent-encode it (/pools/web/backends/http%3A%2F%2F127.0.0.1%3A5001/drain), or name the backend by host:port",
            body,
            StringComparison.Ordinal);
        Assert.False(await DrainingAsync("http://127.0.0.1:5001"));
    }

    [Fact]
    public async Task DrainAndEnable_HostPortShortForm_WhenUnambiguous()
    {
        var drained = await PostAsync("/pools/web/backends/127.0.0.1:5001/drain");
        var draining = await DrainingAsync("http://127.0.0.1:5001");
        var ambiguous = await PostAsync("/pools/web/backends/127.0.0.1:5002/drain");
        var enabled = await PostAsync("/pools/web/backends/127.0.0.1%3A5001/enable");

        Assert.Equal(200, drained.Status);
        Assert.Contains("\"address\":\"http://127.0.0.1:5001\",\"draining\":true,\"changed\":true", drained.Body, StringComparison.Ordinal);
        Assert.True(draining);
        Assert.Equal(409, ambiguous.Status);
        Assert.Contains("'127.0.0.1:5002' matches several backends of pool 'web': http://127.0.0.1:5002, https://127.0.0.1:5002", ambiguous.Body, StringComparison.Ordinal);
        Assert.Equal(200, enabled.Status);
        Assert.False(await DrainingAsync("http://127.0.0.1:5001"));
        Assert.Equal(404, (await PostAsync("/pools/nope/backends/127.0.0.1:5001/drain")).Status);
    }

    [Fact]
    public async Task Drain_RepeatedConcurrently_OneChangeLoggedOnce()
    {
        var escaped = Uri.EscapeDataString("http://127.0.0.1:5001");
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => PostAsync($"/pools/web/backends/{escaped}/drain")));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Single(answers, a => a.Body.Contains("\"changed\":true", StringComparison.Ordinal));
        Assert.Single(_logs.Lines, l => l.Contains("drained by admin API", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Head_ReadEndpoints_OkWithoutBody()
    {
        foreach (var path in new[] { "/status", "/metrics", "/config", "/" })
        {
            var request = Encoding.ASCII.GetBytes($"HEAD {path} HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n");
            var exchange = await RawHttpClient.ExchangeAsync(_balancer.AdminAddress.Authority, request, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
            var text = Encoding.ASCII.GetString(exchange.Response);

            Assert.Equal([200], exchange.Statuses);
            Assert.EndsWith("\r\n\r\n", text, StringComparison.Ordinal);
        }

        using var admin = new HttpClient { BaseAddress = _balancer.AdminAddress };
        using var status = JsonDocument.Parse(await admin.GetStringAsync("/status"));
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/status"))).StatusCode);
    }
}

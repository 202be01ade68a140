using System.Net;
using System.Text.Json;
using Balancer.Tests.Common;

namespace Balancer.Tests.Routing;

/// <summary>
/// Issue #22 end to end: routes matched on method, headers and query (every mode), first match wins, and routes that
/// answer by themselves (redirect, respond) without any backend being reached.
/// </summary>
public sealed class RouteMatchingTests : IAsyncLifetime
{
    private TestBackend _a = null!;
    private TestBackend _b = null!;
    private TestBackend _c = null!;
    private TestBalancer _balancer = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _a = await TestBackend.StartAsync("a");
        _b = await TestBackend.StartAsync("b");
        _c = await TestBackend.StartAsync("c");
        _balancer = await TestBalancer.StartAsync($$"""
            { "listeners": { "web": { "bind": "127.0.0.1:0", "routes": [
                { "path": "/m/{**rest}", "methods": ["POST", "PUT"], "pool": "b" },
                { "path": "/h/{**rest}", "headers": [ { "name": "X-Exact", "values": ["one", "two"] } ], "pool": "b" },
                { "path": "/h/{**rest}", "headers": [ { "name": "X-Prefix", "values": ["Bear"], "mode": "prefix", "ignoreCase": true } ], "pool": "b" },
                { "path": "/h/{**rest}", "headers": [ { "name": "user-agent", "values": ["Mobile"], "mode": "contains" } ], "pool": "b" },
                { "path": "/h/{**rest}", "headers": [ { "name": "X-Flag", "mode": "exists" }, { "name": "X-Veto", "mode": "notExists" } ], "pool": "b" },
                { "path": "/q/{**rest}", "query": [ { "name": "v", "values": ["2"] } ], "pool": "b" },
                { "path": "/q/{**rest}", "query": [ { "name": "lang", "values": ["EN"], "mode": "prefix", "ignoreCase": true } ], "pool": "b" },
                { "path": "/q/{**rest}", "query": [ { "name": "s", "values": ["needle"], "mode": "contains" } ], "pool": "b" },
                { "path": "/q/{**rest}", "query": [ { "name": "beta", "mode": "exists" }, { "name": "off", "mode": "notExists" } ], "pool": "b" },
                { "path": "/old/{**rest}", "redirect": { "to": "https://{host}:8443/new{path}{query}", "status": 308 } },
                { "path": "/moved", "redirect": { "to": "/elsewhere" } },
                { "path": "/down", "methods": ["GET", "HEAD"], "respond": { "status": 503, "body": "down for maintenance\n", "contentType": "text/plain" } },
                { "path": "/empty", "respond": { "status": 204 } },
                { "path": "/p/{**rest}", "headers": [ { "name": "X-A", "mode": "exists" } ], "pool": "b" },
                { "path": "/p/{**rest}", "headers": [ { "name": "X-B", "mode": "exists" } ], "pool": "c" },
                { "path": "/p/only/{**rest}", "pool": "c" },
                { "path": "/p/only/{**rest}", "headers": [ { "name": "X-C", "mode": "exists" } ], "pool": "b" },
                { "path": "/{**rest}", "pool": "a" } ] } },
              "pools": { "a": { "backends": [ { "address": "{{_a.ConfigAddress}}" } ] },
                         "b": { "backends": [ { "address": "{{_b.ConfigAddress}}" } ] },
                         "c": { "backends": [ { "address": "{{_c.ConfigAddress}}" } ] } },
              "admin": { "bind": "127.0.0.1:0" } }
            """);
        _client = _balancer.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _balancer.DisposeAsync();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _c.DisposeAsync();
    }

    [Theory]
    [InlineData("POST", "/m/x", "", "b")]
    [InlineData("PUT", "/m/x", "", "b")]
    [InlineData("GET", "/m/x", "", "a")]
    [InlineData("DELETE", "/m/x", "", "a")]
    [InlineData("GET", "/h/x", "X-Exact: two", "b")]
    [InlineData("GET", "/h/x", "X-Exact: TWO", "a")]
    [InlineData("GET", "/h/x", "X-Exact: twofold", "a")]
    [InlineData("GET", "/h/x", "x-exact: one", "b")]
    [InlineData("GET", "/h/x", "X-Prefix: bearer abc", "b")]
    [InlineData("GET", "/h/x", "X-Prefix: token", "a")]
    [InlineData("GET", "/h/x", "User-Agent: Foo (Mobile; x)", "b")]
    [InlineData("GET", "/h/x", "User-Agent: Foo (mobile; x)", "a")]
    [InlineData("GET", "/h/x", "X-Flag: ", "b")]
    [InlineData("GET", "/h/x", "X-Flag: 1|X-Veto: 1", "a")]
    [InlineData("GET", "/h/x", "", "a")]
    [InlineData("GET", "/q/x?v=2", "", "b")]
    [InlineData("GET", "/q/x?V=2&w=1", "", "b")]
    [InlineData("GET", "/q/x?v=20", "", "a")]
    [InlineData("GET", "/q/x?lang=en-GB", "", "b")]
    [InlineData("GET", "/q/x?lang=fr", "", "a")]
    [InlineData("GET", "/q/x?s=hay%20needle%20hay", "", "b")]
    [InlineData("GET", "/q/x?s=NEEDLE", "", "a")]
    [InlineData("GET", "/q/x?beta", "", "b")]
    [InlineData("GET", "/q/x?beta=1&off=1", "", "a")]
    [InlineData("GET", "/q/x", "", "a")]
    [InlineData("GET", "/p/x", "X-A: 1", "b")]
    [InlineData("GET", "/p/x", "X-B: 1", "c")]
    [InlineData("GET", "/p/x", "X-B: 1|X-A: 1", "b")]
    [InlineData("GET", "/p/x", "", "a")]
    [InlineData("GET", "/p/only/x", "X-C: 1", "c")]
    [InlineData("GET", "/p/only/x", "X-A: 1", "b")]
    public async Task Request_GoesToFirstRouteThatMatches(string method, string target, string headers, string expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), target);
        foreach (var header in headers.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            request.Headers.TryAddWithoutValidation(header[..colon], header[(colon + 1)..].Trim());
        }

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.Headers.GetValues("X-Backend").Single());
    }

    [Fact]
    public async Task Redirect_AnswersWithTheTemplate_NoBackendReached()
    {
        var before = _a.Requests + _b.Requests;
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _balancer.ProxyAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/old/a%20b/c?x=1&y=2");
        request.Headers.Host = "shop.example:8080";

        using var permanent = await client.SendAsync(request);
        using var found = await client.GetAsync("/moved");

        Assert.Equal(HttpStatusCode.PermanentRedirect, permanent.StatusCode);
        Assert.Equal("https://shop.example:8443/new/old/a%20b/c?x=1&y=2", permanent.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Found, found.StatusCode);
        Assert.Equal("/elsewhere", found.Headers.Location!.OriginalString);
        Assert.Equal(before, _a.Requests + _b.Requests);
    }

    [Fact]
    public async Task Respond_AnswersFixedResponse_NoBackendReached()
    {
        var before = _a.Requests + _b.Requests;

        using var get = await _client.GetAsync("/down");
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/down"));
        using var empty = await _client.GetAsync("/empty");
        using var post = await _client.PostAsync("/down", new StringContent("x"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, get.StatusCode);
        Assert.Equal("down for maintenance\n", await get.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", get.Content.Headers.ContentType!.ToString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, head.StatusCode);
        Assert.Equal(21, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NoContent, empty.StatusCode);
        Assert.Equal("a", post.Headers.GetValues("X-Backend").Single()); // methods: a POST falls through to the catch-all
        Assert.Equal(before + 1, _a.Requests + _b.Requests);
    }

    [Fact]
    public async Task Status_CountsRequestsPerRoute_WithMatchAndAction()
    {
        for (var i = 0; i < 3; i++)
        {
            (await _client.GetAsync("/down")).Dispose();
        }

        using var admin = new HttpClient { BaseAddress = _balancer.AdminAddress };
        using var status = JsonDocument.Parse(await admin.GetStringAsync("/status"));
        var routes = status.RootElement.GetProperty("listeners").GetProperty("web").GetProperty("routes");
        var down = routes[11];

        Assert.Equal(18, routes.GetArrayLength());
        Assert.Equal("hosts * path /down methods GET,HEAD", down.GetProperty("match").GetString());
        Assert.Equal("respond 503 (21 bytes text/plain)", down.GetProperty("action").GetString());
        Assert.True(down.GetProperty("requests").GetInt64() >= 3);
        var metrics = await admin.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("balancer_route_requests_total{", StringComparison.Ordinal) && l.Contains("route=\"11\"", StringComparison.Ordinal));
    }
}

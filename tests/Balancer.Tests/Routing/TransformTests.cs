using System.Text;
using Balancer.Tests.Common;

namespace Balancer.Tests.Routing;

/// <summary>
/// Issue #22's <c>transforms</c> end to end, on both forwarders: what the backend gets (path, Host, request headers)
/// and what the client gets (response headers). The differential test holds the two forwarders to the same bytes;
/// this one says what those bytes must be.
/// </summary>
public sealed class TransformTests
{
    private static readonly byte[] s_answer = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nServer: recorder/1.0\r\nSet-Cookie: a=1\r\nCache-Control: no-store\r\nX-Powered-By: php\r\nContent-Length: 2\r\n\r\nok");

    [Theory]
    [InlineData("auto")]
    [InlineData("yarp")]
    public async Task Transforms_RewritePathHostAndHeaders_BothWays(string forwarder)
    {
        await using var backend = RecorderBackend.Start(_ => (s_answer, false));
        await using var balancer = await TestBalancer.StartAsync($$"""
            { "listeners": { "web": { "bind": "127.0.0.1:0", "forwarder": "{{forwarder}}", "routes": [
                { "path": "/t/{**rest}", "pool": "b", "transforms": { "stripPrefix": "/t", "addPrefix": "/v2", "host": "backend.internal:8080",
                    "requestHeaders": { "set": { "X-Env": "prod" }, "append": { "Accept": "text/x-extra" }, "remove": ["X-Debug"] },
                    "responseHeaders": { "set": { "X-Frame-Options": "DENY" }, "append": { "Cache-Control": "private" }, "remove": ["Set-Cookie"], "removeServer": true } } },
                { "path": "/p/{id}/{**rest}", "pool": "b", "transforms": { "pathPattern": "/items/{id}/x/{**rest}" } },
                { "pool": "b" } ] } },
              "pools": { "b": { "backends": [ { "address": "{{backend.ConfigAddress}}" } ] } } }
            """);
        using var client = balancer.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/T/a/b?x=1&y=%20");
        request.Headers.TryAddWithoutValidation("X-Debug", "1");
        request.Headers.TryAddWithoutValidation("X-Env", "dev");
        request.Headers.TryAddWithoutValidation("Accept", "text/html");
        using var transformed = await client.SendAsync(request);
        using var pattern = await client.GetAsync("/p/42/a/b?q=1");
        using var plain = await client.GetAsync("/keep/me");

        var (t, p, k) = (backend.Requests[0], backend.Requests[1], backend.Requests[2]);
        Assert.Equal("/v2/a/b?x=1&y=%20", t.Target); // prefix stripped on a segment boundary, ignoring case; query untouched
        Assert.Equal(["backend.internal:8080"], t.Values("Host"));
        Assert.Equal(["prod"], t.Values("X-Env"));
        Assert.Equal("text/html, text/x-extra", string.Join(", ", t.Values("Accept")));
        Assert.Empty(t.Values("X-Debug"));
        Assert.Equal(["DENY"], transformed.Headers.GetValues("X-Frame-Options"));
        Assert.Equal("no-store, private", transformed.Headers.CacheControl!.ToString());
        Assert.False(transformed.Headers.Contains("Set-Cookie"));
        Assert.DoesNotContain("recorder/1.0", transformed.Headers.TryGetValues("Server", out var server) ? server : []);
        Assert.Equal(["php"], transformed.Headers.GetValues("X-Powered-By"));

        Assert.Equal("/items/42/x/a/b?q=1", p.Target);
        Assert.Equal("/keep/me", k.Target);
        Assert.Equal([balancer.ProxyAddress.Authority], k.Values("Host")); // host "keep" is the default
        Assert.Contains("recorder/1.0", plain.Headers.GetValues("Server"));
        Assert.True(plain.Headers.Contains("Set-Cookie"));
    }
}

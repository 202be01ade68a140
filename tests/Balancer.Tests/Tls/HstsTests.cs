using System.Net;
using Balancer.Tests.Common;

namespace Balancer.Tests.Tls;

/// <summary>
/// Every answer Balancer writes itself on an https listener with <c>hsts</c> carries Strict-Transport-Security, not only
/// the backend's responses (#19 item 6): its 503 for a pool with nobody to take traffic, the request guard's 413, and the
/// 404 for a path no route matches, over HTTP/1.1 and HTTP/2.
/// </summary>
public sealed class HstsTests
{
    private const string Policy = "max-age=63072000; includeSubDomains";

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task BalancersOwnAnswers_HstsListener_CarryTheHeader(string version)
    {
        using var certs = new TestCertificates();
        var site = certs.Create("site", "site.test");
        await using var balancer = await TestBalancer.StartAsync($$"""
            {
              "listeners": { "web": { "bind": "127.0.0.1:0", "limits": { "maxRequestBodySize": 16 },
                "tls": { "hsts": "{{Policy}}", "certificates": [ { "cert": "{{site.Cert}}", "key": "{{site.Key}}" } ] },
                "routes": [ { "path": "/app/{**rest}", "pool": "web" } ] } },
              "pools": { "web": { "backends": [ { "address": "http://127.0.0.1:9", "weight": 0 } ] } },
              "admin": { "bind": "127.0.0.1:0" }
            }
            """);
        using var client = TlsTestClient.CreateHttpClient(certs.Authority, Version.Parse(version), "site.test");
        var address = $"https://{balancer.ListenerAddress}";

        await AssertHstsAsync(client, HttpStatusCode.ServiceUnavailable, new HttpRequestMessage(HttpMethod.Get, $"{address}/app/x"));
        await AssertHstsAsync(client, HttpStatusCode.NotFound, new HttpRequestMessage(HttpMethod.Get, $"{address}/elsewhere"));
        await AssertHstsAsync(client, HttpStatusCode.RequestEntityTooLarge, new HttpRequestMessage(HttpMethod.Post, $"{address}/app/x") { Content = new ByteArrayContent(new byte[64]) });
    }

    private static async Task AssertHstsAsync(HttpClient client, HttpStatusCode expected, HttpRequestMessage request)
    {
        request.Headers.Host = "site.test"; // SocketsHttpHandler sends the Host header as SNI
        using (request)
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(expected, response.StatusCode);
            Assert.True(response.Headers.TryGetValues("Strict-Transport-Security", out var values), $"no HSTS on the {(int)expected}");
            Assert.Equal(Policy, Assert.Single(values));
            if (expected != HttpStatusCode.NotFound)
            {
                // Balancer's own error answers are not to be cached (testssl.sh counts it among the security headers).
                Assert.True(response.Headers.CacheControl?.NoCache, $"no Cache-Control: no-cache on the {(int)expected}");
            }
        }
    }
}

using System.Net;
using System.Text.Json;
using Balancer.Tests.Common;

namespace Balancer.Tests.Traffic;

/// <summary>
/// A route's rate limit comes before whatever else the route does (#21 with #22's route actions): a refused request
/// gets no redirect or fixed answer, and on a split route makes no split choice and reaches no backend.
/// </summary>
public sealed class RateLimitRouteKindsTests : ThreeBackends
{
    [Theory]
    [InlineData("\"redirect\": { \"to\": \"/elsewhere\", \"status\": 302 }", HttpStatusCode.Redirect)]
    [InlineData("\"respond\": { \"status\": 200, \"body\": \"ok\" }", HttpStatusCode.OK)]
    public async Task RateLimit_RouteThatAnswersByItself_AnswersWithinTheLimitThen429(string action, HttpStatusCode answer)
    {
        await using var balancer = await TestBalancer.StartAsync($$"""
            { "listeners": { "web": { "bind": "127.0.0.1:0", "routes": [
                { "path": "/a", {{action}}, "rateLimit": { "requestsPerSecond": 0.01, "burst": 2 } } ] } },
              "pools": {}, "admin": { "bind": "127.0.0.1:0" } }
            """);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = balancer.ProxyAddress };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync("/a");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Null(response.Headers.Location);
                Assert.NotEmpty(response.Headers.GetValues("Retry-After"));
            }
        }

        Assert.Equal([answer, answer, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        var route = await RouteStatusAsync(balancer);
        Assert.Equal(4, route.GetProperty("requests").GetInt32());
        Assert.Equal(2, route.GetProperty("rateLimit").GetProperty("limited").GetInt32());
    }

    [Fact]
    public async Task RateLimit_SplitRoute_RefusedRequestsMakeNoSplitChoiceAndReachNoBackend()
    {
        await using var balancer = await TestBalancer.StartAsync($$"""
            { "listeners": { "web": { "bind": "127.0.0.1:0", "routes": [
                { "path": "/{**rest}", "pools": [ { "pool": "v1", "weight": 50 }, { "pool": "v2", "weight": 50 } ],
                  "rateLimit": { "requestsPerSecond": 0.01, "burst": 3 } } ] } },
              "pools": { "v1": { "backends": [ { "address": "{{Backends[0].ConfigAddress}}" } ] },
                         "v2": { "backends": [ { "address": "{{Backends[1].ConfigAddress}}" } ] } },
              "admin": { "bind": "127.0.0.1:0" } }
            """);
        using var client = balancer.CreateClient();
        var before = Backends.Sum(b => b.Requests);

        var refused = 0;
        for (var i = 0; i < 8; i++)
        {
            using var response = await client.GetAsync("/");
            refused += response.StatusCode == HttpStatusCode.TooManyRequests ? 1 : 0;
        }

        Assert.Equal(5, refused);
        Assert.Equal(3, Backends.Sum(b => b.Requests) - before);
        var route = await RouteStatusAsync(balancer);
        Assert.Equal(3, route.GetProperty("split").EnumerateArray().Sum(side => side.GetProperty("requests").GetInt32()));
        Assert.Equal(5, route.GetProperty("rateLimit").GetProperty("limited").GetInt32());
    }

    private static async Task<JsonElement> RouteStatusAsync(TestBalancer balancer)
    {
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        using var status = JsonDocument.Parse(await admin.GetStringAsync("/status"));
        return status.RootElement.GetProperty("listeners").GetProperty("web").GetProperty("routes")[0].Clone();
    }
}

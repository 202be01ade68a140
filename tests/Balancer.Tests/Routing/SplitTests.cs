using System.Net;
using System.Text.Json;
using Balancer.Tests.Common;

namespace Balancer.Tests.Routing;

/// <summary>Weighted splits (issue #22's <c>pools[]</c>): shares over many requests, stickiness by pool affinity, hot reload.</summary>
public sealed class SplitTests
{
    [Fact]
    public async Task Split_TenThousandRequests_WithinOneAndAHalfPercentOfWeights()
    {
        await using var v1 = await TestBackend.StartAsync("v1");
        await using var v2 = await TestBackend.StartAsync("v2");
        await using var balancer = await TestBalancer.StartAsync(Config(v1, v2, "", 90, 10));
        using var client = balancer.CreateClient();
        var counts = new Dictionary<string, int>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async lane =>
        {
            for (var i = lane; i < 10_000; i += 8)
            {
                using var response = await client.GetAsync("/s");
                var backend = response.Headers.GetValues("X-Backend").Single();
                lock (counts)
                {
                    counts[backend] = counts.GetValueOrDefault(backend) + 1;
                }
            }
        }));

        Assert.InRange(counts["v1"], 8850, 9150);
        Assert.InRange(counts["v2"], 850, 1150);
        var split = (await RouteStatus(balancer)).GetProperty("split");
        Assert.Equal(counts["v1"], split[0].GetProperty("requests").GetInt32());
        Assert.Equal(counts["v2"], split[1].GetProperty("requests").GetInt32());
        Assert.InRange(split[1].GetProperty("share").GetDouble(), 8.5, 11.5);
    }

    [Fact]
    public async Task Split_ClientHoldingAPoolsAffinityCookie_StaysOnThatSide()
    {
        await using var v1 = await TestBackend.StartAsync("v1");
        await using var v2 = await TestBackend.StartAsync("v2");
        const string Affinity = "\"affinity\": { \"cookie\": \"BLB\" },";
        await using var balancer = await TestBalancer.StartAsync(Config(v1, v2, Affinity, 99, 1));
        var pool = balancer.Server.Pools.Get("v2")!.Snapshot;
        var cookie = pool.Affinity!.SetCookie(pool.All[0])!.Split(';')[0];
        using var client = balancer.CreateClient();

        for (var i = 0; i < 50; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/s");
            request.Headers.Add("Cookie", $"other=1; {cookie}");
            using var response = await client.SendAsync(request);
            Assert.Equal("v2", response.Headers.GetValues("X-Backend").Single());
        }

        using var stranger = new HttpRequestMessage(HttpMethod.Get, "/s");
        stranger.Headers.Add("Cookie", "BLB=AAAAAAAAAAA");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(stranger)).StatusCode); // a cookie no pool knows: drawn as usual
    }

    [Fact]
    public async Task Reload_SplitAndMatchesChangeUnderLoad_NoRequestFails()
    {
        await using var v1 = await TestBackend.StartAsync("v1");
        await using var v2 = await TestBackend.StartAsync("v2");
        await using var balancer = await TestBalancer.StartAsync(Config(v1, v2, "", 100, 0));
        using var client = balancer.CreateClient();
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            for (var i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
            {
                using var response = await client.GetAsync("/s");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                }

                seen.AddOrUpdate(response.Headers.GetValues("X-Backend").Single(), 1, (_, n) => n + 1);
            }
        }));

        await Wait.Until(() => seen.Values.Sum() > 200, TimeSpan.FromSeconds(30), "load running");
        var reloads = balancer.Reloads;
        await File.WriteAllTextAsync(balancer.ConfigPath, Config(v1, v2, "", 50, 50).Replace("\"path\": \"/s\"", "\"path\": \"/s\", \"methods\": [\"GET\"], \"headers\": [ { \"name\": \"X-None\", \"mode\": \"notExists\" } ]", StringComparison.Ordinal));
        await Wait.Until(() => balancer.Reloads > reloads, TimeSpan.FromSeconds(30), "the reload");
        await Wait.Until(() => seen.GetValueOrDefault("v2") > 100, TimeSpan.FromSeconds(30), "v2 taking half after the reload");
        await stop.CancelAsync();
        await load;

        Assert.Equal(0, failures);
        Assert.Equal("hosts * path /s methods GET header X-None notExists", (await RouteStatus(balancer)).GetProperty("match").GetString());
    }

    private static string Config(TestBackend v1, TestBackend v2, string poolFields, int w1, int w2) => $$"""
        { "listeners": { "web": { "bind": "127.0.0.1:0", "routes": [
            { "path": "/s", "pools": [ { "pool": "v1", "weight": {{w1}} }, { "pool": "v2", "weight": {{w2}} } ] } ] } },
          "pools": { "v1": { {{poolFields}} "backends": [ { "address": "{{v1.ConfigAddress}}" } ] },
                     "v2": { {{poolFields}} "backends": [ { "address": "{{v2.ConfigAddress}}" } ] } },
          "admin": { "bind": "127.0.0.1:0" } }
        """;

    private static async Task<JsonElement> RouteStatus(TestBalancer balancer)
    {
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        using var status = JsonDocument.Parse(await admin.GetStringAsync("/status"));
        return status.RootElement.GetProperty("listeners").GetProperty("web").GetProperty("routes")[0].Clone();
    }
}

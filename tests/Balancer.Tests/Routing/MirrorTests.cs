using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Balancer.Tests.Common;

namespace Balancer.Tests.Routing;

/// <summary>
/// Mirroring (issue #22's <c>mirror</c>): the shadow pool gets about <c>percent</c> % of the requests with their bodies
/// intact, oversized bodies are not copied, and a shadow pool that is down or slow changes neither the primary's
/// answers nor its p99 (measured side by side with a route that does not mirror).
/// </summary>
public sealed class MirrorTests
{
    [Fact]
    public async Task Mirror_CopiesAboutPercentOfRequests_BodiesIntact()
    {
        await using var primary = await TestBackend.StartAsync("primary");
        await using var shadow = RecorderBackend.Start();
        await using var balancer = await TestBalancer.StartAsync(Config(primary, shadow.ConfigAddress, 30, 4096));
        using var client = balancer.CreateClient();
        const int Requests = 1000;
        var sent = new Dictionary<string, string>();

        for (var i = 0; i < Requests; i++)
        {
            var body = $"request {i} " + new string((char)('a' + (i % 26)), i % 3000);
            sent[$"{i}"] = body;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/m/echo") { Content = new StringContent(body) };
            request.Headers.Add("X-Id", $"{i}");
            using var response = await client.SendAsync(request);
            Assert.Equal(body, await response.Content.ReadAsStringAsync()); // the primary's answer is its own
        }

        var mirror = await WaitForCopies(balancer, c => c.GetProperty("sent").GetInt32() == shadow.Requests.Count && shadow.Requests.Count > 0);
        var copies = shadow.Requests;
        Assert.InRange(copies.Count, 230, 370); // 30 % of 1000, ±5 standard deviations
        foreach (var copy in copies)
        {
            var id = copy.Values("X-Id").Single();
            Assert.Equal(sent[id], Encoding.UTF8.GetString(copy.Body));
            Assert.Equal("/echo", copy.Target); // the request as the primary backend gets it: the route's transforms applied (as Envoy's shadow)
            Assert.Equal("POST", copy.Method);
        }

        Assert.Equal(0, mirror.GetProperty("dropped").GetInt32());
        Assert.Equal(0, mirror.GetProperty("tooLarge").GetInt32());
    }

    [Fact]
    public async Task Mirror_BodyOverCap_NotCopied_Counted()
    {
        await using var primary = await TestBackend.StartAsync("primary");
        await using var shadow = RecorderBackend.Start();
        await using var balancer = await TestBalancer.StartAsync(Config(primary, shadow.ConfigAddress, 100, 100));
        using var client = balancer.CreateClient();

        using var declared = await client.PostAsync("/m/echo", new StringContent(new string('x', 101)));
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/m/echo") { Content = new StreamContent(new MemoryStream(new byte[500])) };
        chunked.Headers.TransferEncodingChunked = true;
        using var chunkedResponse = await client.SendAsync(chunked);
        using var small = await client.PostAsync("/m/echo", new StringContent("fits"));

        Assert.Equal(101, (await declared.Content.ReadAsStringAsync()).Length);
        Assert.Equal(500, (await chunkedResponse.Content.ReadAsByteArrayAsync()).Length);
        var mirror = await WaitForCopies(balancer, c => c.GetProperty("sent").GetInt32() == 1);
        Assert.Equal(2, mirror.GetProperty("tooLarge").GetInt32());
        Assert.Equal("fits", Encoding.UTF8.GetString(shadow.Requests.Single().Body));
    }

    [Fact]
    public async Task Mirror_ShadowDownOrSlow_PrimaryAnswersAndP99Unchanged()
    {
        await using var primary = await TestBackend.StartAsync("primary");
        await using var slow = await TestBackend.StartAsync("slow");
        slow.WorkDelay = TimeSpan.FromSeconds(5);
        var down = ClosedPort();
        await using var balancer = await TestBalancer.StartAsync($$"""
            { "listeners": { "web": { "bind": "127.0.0.1:0", "routes": [
                { "path": "/plain/{**rest}", "pool": "primary", "transforms": { "stripPrefix": "/plain" } },
                { "path": "/slow/{**rest}", "pool": "primary", "transforms": { "stripPrefix": "/slow" }, "mirror": { "pool": "slow" } },
                { "path": "/down/{**rest}", "pool": "primary", "transforms": { "stripPrefix": "/down" }, "mirror": { "pool": "down" } } ] } },
              "pools": { "primary": { "backends": [ { "address": "{{primary.ConfigAddress}}" } ] },
                         "slow": { "backends": [ { "address": "{{slow.ConfigAddress}}" } ] },
                         "down": { "backends": [ { "address": "http://127.0.0.1:{{down}}" } ] } },
              "admin": { "bind": "127.0.0.1:0" } }
            """);
        using var client = balancer.CreateClient();
        var latencies = new Dictionary<string, List<double>> { ["plain"] = [], ["slow"] = [], ["down"] = [] };

        // Interleaved, so that the machine's load falls on all three alike; 8 at a time.
        for (var round = 0; round < 50; round++)
        {
            await Task.WhenAll(latencies.Keys.SelectMany(_ => Enumerable.Range(0, 2)).Select((_, i) => (Route: latencies.Keys.ElementAt(i % 3), i)).Select(async t =>
            {
                var watch = Stopwatch.StartNew();
                using var response = await client.GetAsync($"/{t.Route}/work");
                var elapsed = watch.Elapsed.TotalMilliseconds;
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("primary", await response.Content.ReadAsStringAsync());
                lock (latencies)
                {
                    latencies[t.Route].Add(elapsed);
                }
            }));
        }

        var p99 = latencies.ToDictionary(l => l.Key, l => l.Value.Order().ElementAt((int)(l.Value.Count * 0.99) - 1));
        var plain = p99["plain"];
        Assert.True(p99["slow"] < (plain * 3) + 100, $"p99 with a slow shadow {p99["slow"]:F1} ms against {plain:F1} ms without a mirror");
        Assert.True(p99["down"] < (plain * 3) + 100, $"p99 with a shadow down {p99["down"]:F1} ms against {plain:F1} ms without a mirror");
        Assert.True(latencies["slow"].Max() < 2500, "a request waited for the 5 s shadow");
        var routes = await Routes(balancer);
        var slowMirror = routes[1].GetProperty("mirror");
        var downMirror = routes[2].GetProperty("mirror");
        Assert.True(downMirror.GetProperty("failed").GetInt32() + downMirror.GetProperty("dropped").GetInt32() > 0);
        Assert.Equal(0, downMirror.GetProperty("sent").GetInt32());
        Assert.Equal(0, slowMirror.GetProperty("failed").GetInt32());
    }

    private static string Config(TestBackend primary, string shadow, double percent, int maxBody) => $$"""
        { "listeners": { "web": { "bind": "127.0.0.1:0", "routes": [
            { "path": "/m/{**rest}", "pool": "primary", "transforms": { "stripPrefix": "/m" }, "mirror": { "pool": "shadow", "percent": {{percent}}, "maxBodySize": {{maxBody}} } },
            { "path": "/{**rest}", "pool": "primary" } ] } },
          "pools": { "primary": { "backends": [ { "address": "{{primary.ConfigAddress}}" } ] },
                     "shadow": { "backends": [ { "address": "{{shadow}}" } ] } },
          "admin": { "bind": "127.0.0.1:0" } }
        """;

    private static async Task<JsonElement> WaitForCopies(TestBalancer balancer, Func<JsonElement, bool> done)
    {
        JsonElement mirror = default;
        await Wait.Until(async () => done(mirror = (await Routes(balancer))[0].GetProperty("mirror")), TimeSpan.FromSeconds(30), "the mirror queue to drain");
        return mirror;
    }

    private static async Task<JsonElement> Routes(TestBalancer balancer)
    {
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        using var status = JsonDocument.Parse(await admin.GetStringAsync("/status"));
        return status.RootElement.GetProperty("listeners").GetProperty("web").GetProperty("routes").Clone();
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

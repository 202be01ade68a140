using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Balancer.Tests.Common;

namespace Balancer.Tests.Traffic;

/// <summary>Route rate limits end to end: 429 with Retry-After before any backend, per client, counted, reloaded.</summary>
public sealed class RateLimitTests : ThreeBackends
{
    [Fact]
    public async Task RateLimit_FiveSecondsAtTwiceTheLimit_AcceptsRatePlusBurstAndNoRefusedRequestReachesABackend()
    {
        const double rate = 40;
        const int burst = 20;
        await using var balancer = await TestBalancer.StartAsync(Config($$"""{ "requestsPerSecond": {{rate}}, "burst": {{burst}} }"""));
        using var client = balancer.CreateClient();
        await client.GetAsync("/"); // connection and JIT warm, one token spent
        var before = Backends.Sum(b => b.Requests);

        // 2× the limit, paced by the clock (a late send catches up), for 5 s.
        var accepted = 1;
        var refused = 0;
        var sentAt = new List<double>();
        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < 2 * rate * 5; sent++)
        {
            var due = TimeSpan.FromSeconds(sent / (2 * rate));
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            sentAt.Add(clock.Elapsed.TotalSeconds);
            using var response = await client.GetAsync("/");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused++;
                Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                accepted++;
            }
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        Assert.True(2 * rate * 5 / elapsed > 1.5 * rate, $"the client sent only {2 * rate * 5 / elapsed:F0}/s: too slow to test a limit of {rate}/s");
        // rate × elapsed + burst when the client keeps its pace; a client stalled longer than burst / rate (a busy host)
        // finds the bucket full and the tokens of the stall lost, as a token bucket should: judge against the ideal
        // bucket fed the client's own send times.
        var expected = 1 + IdealBucketAccepts(sentAt, rate, burst, tokensAtStart: burst - 1);
        Assert.True(expected > (rate * elapsed) + burst - (rate * 2), $"the client stalled too long to test the limit: an ideal bucket accepts {expected}");
        Assert.InRange(accepted, expected * 0.9, expected * 1.1);
        Assert.Equal(accepted - 1, Backends.Sum(b => b.Requests) - before);
        Assert.Equal(refused, (await MetricsScrape.TakeAsync(balancer)).Single("balancer_requests_rate_limited_total", "route=\"web/0\""));
        Assert.Equal(refused, (await RouteStatusAsync(balancer)).GetProperty("limited").GetInt32());
    }

    [Fact]
    public async Task RateLimit_ClientIpBehindTrustedProxy_EachForwardedClientOwnBucket()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("""{ "requestsPerSecond": 0.01, "burst": 1 }""", trusted: true));
        using var client = balancer.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, "198.18.3.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(client, "198.18.3.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(client, "203.0.113.9, 198.18.3.1")); // a prepended hop is no escape
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, "198.18.3.2"));
    }

    [Fact]
    public async Task RateLimit_HttpListenerBehindProxyProtocol_KeysOnThePROXYSourceAndForwardsIt()
    {
        var config = Config("""{ "requestsPerSecond": 0.01, "burst": 1 }""").Replace("\"bind\": \"127.0.0.1:0\",", "\"bind\": \"127.0.0.1:0\", \"acceptProxyProtocol\": true,", StringComparison.Ordinal);
        await using var balancer = await TestBalancer.StartAsync(config);

        Assert.Contains("\"X-Forwarded-For\":\"198.18.4.1\"", await RawAsync(balancer, "198.18.4.1"), StringComparison.OrdinalIgnoreCase); // /headers answers JSON
        Assert.StartsWith("HTTP/1.1 429", await RawAsync(balancer, "198.18.4.1"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", await RawAsync(balancer, "198.18.4.2"), StringComparison.Ordinal);
        using var bare = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
        await bare.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        Assert.Empty(await TcpTestClient.ReadToEndAsync(bare, TimeSpan.FromSeconds(10))); // no PROXY header: closed
    }

    [Fact]
    public async Task RateLimit_UntrustedPeer_ForwardedForIgnored()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("""{ "requestsPerSecond": 0.01, "burst": 1 }"""));
        using var client = balancer.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, "198.18.3.1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(client, "198.18.3.2"));
    }

    [Fact]
    public async Task RateLimit_TenThousandForwardedClients_TrackedKeysStayUnderTheCap()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("""{ "requestsPerSecond": 1000, "burst": 1000, "maxKeys": 1000 }""", trusted: true));
        using var client = balancer.CreateClient();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(async lane =>
        {
            for (var i = lane; i < 10_000; i += 8)
            {
                await GetAsync(client, $"198.18.{i / 256}.{i % 256}");
            }
        }));

        var status = await RouteStatusAsync(balancer);
        Assert.InRange(status.GetProperty("trackedKeys").GetInt32(), 1, 1000);
        Assert.InRange((await MetricsScrape.TakeAsync(balancer)).Single("balancer_rate_limit_keys", "route=\"web/0\""), 1, 1000);
    }

    [Fact]
    public async Task RateLimit_Reload_NewLimitAppliesAndRemovalLiftsIt()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("""{ "requestsPerSecond": 0.01, "burst": 1, "key": "route" }"""));
        using var client = balancer.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/")).StatusCode);

        await File.WriteAllTextAsync(balancer.ConfigPath, Config("""{ "requestsPerSecond": 0.01, "burst": 3, "key": "route" }"""));
        await Wait.Until(() => balancer.ReloadsFinished >= 1, TimeSpan.FromSeconds(20), "reload with burst 3");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode); // a new bucket, full
        Assert.Equal(1, (await RouteStatusAsync(balancer)).GetProperty("limited").GetInt32()); // the count carries on

        await File.WriteAllTextAsync(balancer.ConfigPath, Config("null"));
        await Wait.Until(() => balancer.ReloadsFinished >= 2, TimeSpan.FromSeconds(20), "reload without a limit");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        }
    }

    private string Config(string rateLimit, bool trusted = false) => $$"""
        {
          "listeners": { "web": { "bind": "127.0.0.1:0", {{(trusted ? "\"trustedProxies\": [\"127.0.0.1\"]," : "")}}
                                  "routes": [ { "pool": "web", "rateLimit": {{rateLimit}} } ] } },
          "pools": { "web": { "backends": [ {{string.Join(", ", Backends.Select(b => $$"""{ "address": "{{b.ConfigAddress}}" }"""))}} ] } },
          "admin": { "bind": "127.0.0.1:0" }
        }
        """;

    private static async Task<HttpStatusCode> GetAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>A GET of /headers over a connection that starts with a PROXY v1 header from <paramref name="source"/>.</summary>
    private static async Task<string> RawAsync(TestBalancer balancer, string source)
    {
        using var socket = await TcpTestClient.ConnectAsync(balancer.ListenerAddress);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"PROXY TCP4 {source} 198.18.0.1 40000 80\r\nGET /headers HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"));
        return System.Text.Encoding.ASCII.GetString(await TcpTestClient.ReadToEndAsync(socket, TimeSpan.FromSeconds(10)));
    }

    private static async Task<JsonElement> RouteStatusAsync(TestBalancer balancer)
    {
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        using var status = JsonDocument.Parse(await admin.GetStringAsync("/status"));
        return status.RootElement.GetProperty("listeners").GetProperty("web").GetProperty("routes")[0].GetProperty("rateLimit").Clone();
    }

    /// <summary>How many of the requests sent at <paramref name="sentAt"/> (seconds) a token bucket of <paramref name="rate"/>/s and <paramref name="burst"/> accepts.</summary>
    private static int IdealBucketAccepts(IReadOnlyList<double> sentAt, double rate, int burst, double tokensAtStart)
    {
        var tokens = tokensAtStart;
        var last = 0.0;
        var accepts = 0;
        foreach (var at in sentAt)
        {
            tokens = Math.Min(burst, tokens + ((at - last) * rate));
            last = at;
            if (tokens >= 1)
            {
                tokens--;
                accepts++;
            }
        }

        return accepts;
    }
}

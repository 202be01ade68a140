using System.Text.Json;
using Balancer.Tests.Common;

namespace Balancer.Tests.Traffic;

/// <summary>Cookie session affinity end to end, on both forwarders: set, followed, replaced, forged, kept by a draining backend.</summary>
public sealed class AffinityTests : ThreeBackends
{
    [Theory]
    [InlineData("auto")]
    [InlineData("yarp")]
    public async Task Affinity_FirstResponseSetsCookie_LaterRequestsFollowIt(string forwarder)
    {
        await using var balancer = await TestBalancer.StartAsync(Config(forwarder, "round-robin"));
        using var client = Client(balancer);

        var (first, cookie) = await GetAsync(client, null);
        Assert.NotNull(cookie);
        Assert.Matches("^BLB=[A-Za-z0-9_-]{11}; Path=/; HttpOnly; SameSite=Lax$", cookie);
        var value = cookie.Split(';')[0];
        for (var i = 0; i < 12; i++)
        {
            var (backend, again) = await GetAsync(client, value);
            Assert.Equal(first, backend); // round-robin would have moved on
            Assert.Null(again);           // a cookie that still holds is not sent again
        }

        Assert.Equal(12, (await balancer.BackendStatusAsync("web", Address(first))).GetProperty("affineRequests").GetInt32());
    }

    [Theory]
    [InlineData("BLB=AAAAAAAAAAA")]
    [InlineData("BLB=../../etc/passwd")]
    [InlineData("BLB=\"\"; other=1")]
    public async Task Affinity_ForgedCookie_TreatedAsAbsent(string forged)
    {
        await using var balancer = await TestBalancer.StartAsync(Config("auto", "round-robin"));
        using var client = Client(balancer);

        var (_, cookie) = await GetAsync(client, forged);

        Assert.NotNull(cookie); // a fresh session, as for a client without one
        var metrics = await MetricsScrape.TakeAsync(balancer);
        Assert.Equal(0, metrics.Single("balancer_affinity_replaced_total", "pool=\"web\""));
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("yarp")]
    public async Task Affinity_BackendDies_RePickedCookieReplacedAndCounted(string forwarder)
    {
        await using var balancer = await TestBalancer.StartAsync(Config(forwarder, "least-connections"));
        using var client = Client(balancer);
        var (first, cookie) = await GetAsync(client, null);
        var dead = Backends.Single(b => b.Name == first);
        Backends.Remove(dead);
        await dead.DisposeAsync(); // killed: connects are refused from now on

        var (backend, replaced) = await GetAsync(client, cookie!.Split(';')[0]);

        Assert.NotEqual(first, backend);   // the idempotent GET was retried elsewhere
        Assert.NotNull(replaced);
        Assert.NotEqual(cookie, replaced);
        var (again, none) = await GetAsync(client, replaced.Split(';')[0]);
        Assert.Equal(backend, again);      // and the new cookie holds
        Assert.Null(none);
        var metrics = await MetricsScrape.TakeAsync(balancer);
        Assert.Equal(1, metrics.Single("balancer_affinity_replaced_total", "pool=\"web\""));
        Assert.Equal(1, await PoolStatusAsync(balancer, "affinity", "replaced"));
    }

    [Fact]
    public async Task Affinity_DrainingBackend_KeepsItsSessionsTakesNoNewOnes()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("auto", "round-robin"));
        using var client = Client(balancer);
        var (drained, cookie) = await GetAsync(client, null);
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        (await admin.PostAsync($"/pools/web/backends/{Uri.EscapeDataString(Address(drained))}/drain", null)).EnsureSuccessStatusCode();

        for (var i = 0; i < 6; i++)
        {
            var (fresh, _) = await GetAsync(client, null);
            Assert.NotEqual(drained, fresh);
            var (sticky, none) = await GetAsync(client, cookie!.Split(';')[0]);
            Assert.Equal(drained, sticky);
            Assert.Null(none);
        }

        var status = await balancer.BackendStatusAsync("web", Address(drained));
        Assert.True(status.GetProperty("draining").GetBoolean());
        Assert.Equal(6, status.GetProperty("affineRequests").GetInt32());
    }

    [Fact]
    public async Task Affinity_HashPool_CookieWinsOverTheKeyUntilItsBackendGoes()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("auto", "hash", """ "hashKey": "header:X-User", """));
        using var client = Client(balancer);
        var (home, cookie) = await GetAsync(client, null, ("X-User", "alice"));
        var other = "";
        for (var i = 0; other.Length == 0; i++)
        {
            other = (await GetAsync(client, null, ("X-User", $"user-{i}"))).Backend != home ? $"user-{i}" : "";
        }

        var (backend, none) = await GetAsync(client, cookie!.Split(';')[0], ("X-User", other));

        Assert.Equal(home, backend);
        Assert.Null(none);
    }

    internal static string Config(string forwarder, string algorithm, string poolFields = "", string affinity = """{ "cookie": "BLB" }""", params string[] backends) => $$"""
        {
          "listeners": { "web": { "bind": "127.0.0.1:0", "forwarder": "{{forwarder}}", "routes": [ { "pool": "web" } ] } },
          "pools": { "web": { "algorithm": "{{algorithm}}", "affinity": {{affinity}}, {{poolFields}}
                              "backends": [ {{string.Join(", ", backends.Select(b => $$"""{ "address": "{{b}}" }"""))}} ] } },
          "admin": { "bind": "127.0.0.1:0" }
        }
        """;

    private string Config(string forwarder, string algorithm, string poolFields = "") =>
        Config(forwarder, algorithm, poolFields, """{ "cookie": "BLB" }""", [.. Backends.Select(b => b.ConfigAddress)]);

    private static HttpClient Client(TestBalancer balancer) =>
        new(new HttpClientHandler { UseCookies = false }) { BaseAddress = balancer.ProxyAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The backend that answered and the affinity Set-Cookie of the response, if any.</summary>
    internal static async Task<(string Backend, string? Cookie)> GetAsync(HttpClient client, string? cookie, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/work");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var set = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.SingleOrDefault(v => v.StartsWith("BLB=", StringComparison.Ordinal)) : null;
        return (response.Headers.GetValues("X-Backend").Single(), set);
    }

    private string Address(string backend) => Backends.Single(b => b.Name == backend).ConfigAddress;

    private static async Task<long> PoolStatusAsync(TestBalancer balancer, string block, string field)
    {
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        using var status = JsonDocument.Parse(await admin.GetStringAsync("/status"));
        return status.RootElement.GetProperty("pools").GetProperty("web").GetProperty(block).GetProperty(field).GetInt64();
    }
}

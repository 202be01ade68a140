using System.Net;
using Balancer.Tests.Common;

namespace Balancer.Tests.Hardening;

/// <summary>Per-backend and pool-wide in-flight caps: a full backend is skipped, all full gives a quick 503, never a queue.</summary>
public sealed class CircuitBreakerTests : ThreeBackends
{
    [Fact]
    public async Task MaxRequestsPerBackend_BackendFull_SkippedForTheOther()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig(
            "round-robin", "\"maxRequestsPerBackend\": 1,", (Backends[0].ConfigAddress, 1), (Backends[1].ConfigAddress, 1)));
        using var client = balancer.CreateClient();

        var slow = client.GetStringAsync("/slow?ms=1500");
        await Wait.Until(async () => (await balancer.BackendStatusAsync("web", Backends[0].ConfigAddress)).GetProperty("inflight").GetInt32()
            + (await balancer.BackendStatusAsync("web", Backends[1].ConfigAddress)).GetProperty("inflight").GetInt32() == 1, TimeSpan.FromSeconds(5), "the slow request in flight");
        var answers = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await client.GetStringAsync("/"));
        }

        // Every quick request went to the one backend without a request in flight.
        Assert.Single(answers.Distinct());
        Assert.StartsWith("slow", await slow, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxRequestsPerBackend_AllFull_503AtOnceWithRetryAfter()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig(
            "least-connections", "\"maxRequestsPerBackend\": 2,", (Backends[0].ConfigAddress, 1)));
        using var client = balancer.CreateClient();
        var slow = new[] { client.GetAsync("/slow?ms=2000"), client.GetAsync("/slow?ms=2000") };
        await Wait.Until(async () => (await balancer.BackendStatusAsync("web", Backends[0].ConfigAddress)).GetProperty("inflight").GetInt32() == 2, TimeSpan.FromSeconds(5), "both slow requests in flight");

        using var refused = await client.GetAsync("/");
        var slotsStillTaken = !slow.Any(t => t.IsCompleted);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", refused.Headers.GetValues("Retry-After").Single());
        Assert.Contains("request limit", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(slotsStillTaken, "the refusal came only after a slow request ended: it must not wait for a slot");
        foreach (var response in await Task.WhenAll(slow))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        using var after = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task MaxPendingRequests_PoolFull_503AtOnceThenRecovers()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.PoolConfig(
            "round-robin", "\"maxPendingRequests\": 1,", (Backends[0].ConfigAddress, 1), (Backends[1].ConfigAddress, 1)));
        using var client = balancer.CreateClient();
        var slow = client.GetAsync("/slow?ms=1500");
        await Wait.Until(async () => (await balancer.BackendStatusAsync("web", Backends[0].ConfigAddress)).GetProperty("inflight").GetInt32()
            + (await balancer.BackendStatusAsync("web", Backends[1].ConfigAddress)).GetProperty("inflight").GetInt32() == 1, TimeSpan.FromSeconds(5), "the slow request in flight");

        var refused = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.GetAsync("/")));

        Assert.All(refused, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        Assert.All(refused, r => Assert.True(r.Headers.Contains("Retry-After")));
        Assert.Contains("pool is at its request limit", await refused[0].Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using (var done = await slow)
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        using var after = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        foreach (var r in refused)
        {
            r.Dispose();
        }
    }
}

using System.Diagnostics;
using Balancer.Tests.Common;

namespace Balancer.Tests.LoadBalancing;

/// <summary>
/// Algorithms over real backends and real sockets. Latencies are compared within one test, never
/// against fixed numbers; the class runs alone (no other test class in parallel) so CPU contention
/// from other tests does not blur the comparison.
/// </summary>
[Collection(nameof(AlgorithmEndToEndTests))]
public sealed class AlgorithmEndToEndTests : ThreeBackends
{
    [Fact]
    public async Task ResponseTime_OneBackend20TimesSlower_GetsUnderTenPercentAndMeanBeatsRoundRobin()
    {
        Backends[0].WorkDelay = TimeSpan.FromMilliseconds(10);
        Backends[1].WorkDelay = TimeSpan.FromMilliseconds(10);
        Backends[2].WorkDelay = TimeSpan.FromMilliseconds(200);

        var roundRobin = await RunLoad("round-robin");
        var responseTime = await RunLoad("response-time");

        var slowShare = responseTime.ByBackend.GetValueOrDefault("c") / (double)responseTime.Total;
        Assert.True(slowShare < 0.10, $"slow backend got {slowShare:P1} of requests with response-time");
        Assert.True(roundRobin.ByBackend.GetValueOrDefault("c") / (double)roundRobin.Total > 0.25, "round-robin sends a third to the slow backend");
        // Compared by mean latency, not a percentile: response-time keeps re-sampling every backend (trickle +
        // decay), so 1-4 % of its picks land on the slow backend and any percentile above ~p96 lands on that
        // probe traffic (fresh-clone CI runs had 1.10 % and 3.80 %, p99 199 vs 209 ms, p97 200 vs 206 ms), which
        // says nothing about the algorithm. The mean carries the whole distribution: round-robin's is ~73 ms.
        Assert.True(responseTime.Mean < roundRobin.Mean * 0.5, $"slow share {slowShare:P2}; mean response-time {responseTime.Mean.TotalMilliseconds:F1} ms vs round-robin {roundRobin.Mean.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public async Task LeastConnections_BackendHoldingRequests_ReceivesFewerNewOnes()
    {
        Backends[0].WorkDelay = TimeSpan.FromMilliseconds(300);
        Backends[1].WorkDelay = TimeSpan.FromMilliseconds(10);
        Backends[2].WorkDelay = TimeSpan.FromMilliseconds(10);

        var result = await RunLoad("least-connections");

        var held = result.ByBackend.GetValueOrDefault("a");
        Assert.True(held * 4 < result.ByBackend.GetValueOrDefault("b"), $"a={held} b={result.ByBackend.GetValueOrDefault("b")} c={result.ByBackend.GetValueOrDefault("c")}");
        Assert.True(held * 4 < result.ByBackend.GetValueOrDefault("c"), $"a={held} c={result.ByBackend.GetValueOrDefault("c")}");
    }

    /// <summary>4 concurrent clients, 250 requests each (bounded), after a short warm-up that seeds latency estimates.</summary>
    private async Task<(int Total, Dictionary<string, int> ByBackend, TimeSpan Mean)> RunLoad(string algorithm)
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig(algorithm, [.. Backends.Select(b => (b.ConfigAddress, 1))]));
        using var client = balancer.CreateClient();
        // Warm up until every backend has answered a few times, so all estimates are seeded.
        for (var i = 0; i < 30; i++)
        {
            (await client.GetAsync("/work")).EnsureSuccessStatusCode();
        }

        var latencies = new List<TimeSpan>();
        var byBackend = new Dictionary<string, int>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            for (var i = 0; i < 250; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync("/work");
                var body = await response.Content.ReadAsStringAsync();
                var elapsed = Stopwatch.GetElapsedTime(started);
                lock (latencies)
                {
                    latencies.Add(elapsed);
                    byBackend[body] = byBackend.GetValueOrDefault(body) + 1;
                }
            }
        }));

        return (latencies.Count, byBackend, TimeSpan.FromTicks((long)latencies.Average(l => l.Ticks)));
    }
}

/// <summary>Runs <see cref="AlgorithmEndToEndTests"/> with no other test class in parallel.</summary>
[CollectionDefinition(nameof(AlgorithmEndToEndTests), DisableParallelization = true)]
public sealed class AlgorithmEndToEndCollection;

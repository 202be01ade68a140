using Balancer.Core.Configuration;
using Balancer.Core.RateLimiting;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.RateLimiting;

public sealed class RateLimitTableTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TryAcquire_FiveSecondsAtTwiceTheRate_AcceptsRatePlusBurst()
    {
        var table = new RateLimitTable(new RateLimitConfig { RequestsPerSecond = 100, Burst = 200 }, _time);

        var accepted = 0;
        for (var i = 0; i < 1000; i++) // 200 per second for 5 s
        {
            accepted += table.TryAcquire(1, out _) ? 1 : 0;
            _time.Advance(TimeSpan.FromMilliseconds(5));
        }

        Assert.InRange(accepted, (int)(700 * 0.9), (int)(700 * 1.1));
        Assert.Equal(1000 - accepted, table.Limited);
    }

    [Fact]
    public void TryAcquire_Empty_RetryAfterUntilNextToken()
    {
        var table = new RateLimitTable(new RateLimitConfig { RequestsPerSecond = 0.5, Burst = 1 }, _time);

        Assert.True(table.TryAcquire(7, out _));
        Assert.False(table.TryAcquire(7, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(2), retryAfter);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(table.TryAcquire(7, out _));
    }

    [Fact]
    public void TryAcquire_KeysApart_OwnBuckets()
    {
        var table = new RateLimitTable(new RateLimitConfig { RequestsPerSecond = 1, Burst = 1 }, _time);

        Assert.True(table.TryAcquire(1, out _));
        Assert.False(table.TryAcquire(1, out _));
        Assert.True(table.TryAcquire(2, out _));
    }

    [Fact]
    public void TryAcquire_TenThousandClientsOverCap_TrackedKeysBoundedAndNewcomersShareOneBucket()
    {
        var table = new RateLimitTable(new RateLimitConfig { RequestsPerSecond = 1, Burst = 1, MaxKeys = 1000 }, _time);

        var accepted = 0;
        for (ulong client = 0; client < 10_000; client++)
        {
            accepted += table.TryAcquire(client, out _) ? 1 : 0;
        }

        Assert.Equal(1000, table.TrackedKeys);
        // The first 1,000 had their own bucket; the other 9,000 shared one, which let one in.
        Assert.Equal(1001, accepted);
    }

    [Fact]
    public void Sweep_IdleKeys_Expire()
    {
        var table = new RateLimitTable(new RateLimitConfig { RequestsPerSecond = 10, Burst = 10, MaxKeys = 1000 }, _time);
        for (ulong client = 0; client < 1000; client++)
        {
            table.TryAcquire(client, out _);
        }

        _time.Advance(TimeSpan.FromMilliseconds(50)); // half refilled: not idle yet
        Assert.Equal(0, table.Sweep());
        _time.Advance(TimeSpan.FromSeconds(1));

        // A new key finds the table full of idle keys: they are swept and it gets its own bucket.
        Assert.True(table.TryAcquire(5000, out _));
        Assert.Equal(1, table.TrackedKeys);
    }

    [Fact]
    public void Apply_UnchangedLimit_KeepsBuckets()
    {
        var registry = new RateLimitRegistry(_time);
        var config = Config(new RateLimitConfig { RequestsPerSecond = 1, Burst = 1 });
        registry.Apply(config);
        var table = registry.Get("web/0")!;
        table.TryAcquire(1, out _);

        registry.Apply(config with { });
        Assert.Same(table, registry.Get("web/0"));
        registry.Apply(Config(new RateLimitConfig { RequestsPerSecond = 2, Burst = 1 }));
        Assert.NotSame(table, registry.Get("web/0"));
        registry.Apply(Config(null));
        Assert.Null(registry.Get("web/0"));
    }

    private static BalancerConfig Config(RateLimitConfig? limit) => new()
    {
        Listeners = new Dictionary<string, ListenerConfig> { ["web"] = new() { Bind = "127.0.0.1:0", Routes = [new RouteConfig { Pool = "p", RateLimit = limit }] } },
    };
}

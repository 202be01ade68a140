using Balancer.Core.Configuration;
using Balancer.Core.History;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;

namespace Balancer.Core.Tests.History;

public sealed class TrafficSamplerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly TrafficHistory _history = new(capacity: 10);
    private readonly TrafficSampler _sampler;
    private readonly Dictionary<string, Pool> _pools = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, ListenerCounters>> _listeners = [];

    public TrafficSamplerTests() => _sampler = new TrafficSampler(_history, _time);

    [Fact]
    public void FirstSample_LevelsKnown_RatesUnknown()
    {
        var pool = AddPool("web", "http://a");
        Start(pool.Find("http://a")!, 5);

        Assert.True(_sampler.Sample(_pools, _listeners));

        var web = _history.Pools["web"];
        Assert.Equal(1, _history.Count);
        Assert.True(float.IsNaN(web.Requests[0]));
        Assert.Equal(5, web.InFlight[0]);
        Assert.Equal(1, web.Available[0]);
        Assert.Equal(HealthCode.Up, web.Backend("http://a")!.Health[0]);
    }

    [Fact]
    public void Rates_AreGrowthOverTheTimeThatPassed_EvenWhenTheTimerIsLate()
    {
        var pool = AddPool("web", "http://a", "http://b");
        var (a, b) = (pool.Find("http://a")!, pool.Find("http://b")!);
        _sampler.Sample(_pools, _listeners);

        Finish(a, 30, 200, TimeSpan.FromMilliseconds(4));
        Finish(b, 10, 503, TimeSpan.FromMilliseconds(40), generated: true);
        _time.Advance(TimeSpan.FromSeconds(2)); // a second late
        _sampler.Sample(_pools, _listeners);

        var web = _history.Pools["web"];
        Assert.Equal(20, web.Requests[1]);
        Assert.Equal(15, web.Backend("http://a")!.Requests[1]);
        Assert.Equal(5, web.ProxyErrors[1]);
        Assert.Equal(0, web.Backend5xx[1]);
        Assert.Equal(5, web.Backend("http://b")!.Errors[1]);
        Assert.InRange(web.Backend("http://a")!.P99[1], 3.5, 4.5);
        Assert.InRange(web.P50[1], 3.5, 4.5);
        Assert.InRange(web.P99[1], 35, 45);
    }

    [Fact]
    public void SecondCall_TooSoon_IsIgnored()
    {
        AddPool("web", "http://a");
        _sampler.Sample(_pools, _listeners);
        _time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.False(_sampler.Sample(_pools, _listeners));
        Assert.Equal(1, _history.Count);
    }

    [Fact]
    public void NoRequests_QuantilesUnknown_RatesZero()
    {
        AddPool("web", "http://a");
        _sampler.Sample(_pools, _listeners);
        _time.Advance(TimeSpan.FromSeconds(1));
        _sampler.Sample(_pools, _listeners);

        var web = _history.Pools["web"];
        Assert.Equal(0, web.Requests[1]);
        Assert.True(float.IsNaN(web.P50[1]));
    }

    [Fact]
    public void PoolRefusals_CountInThePoolsRatesAndErrors()
    {
        var pool = AddPool("web", "http://a");
        _sampler.Sample(_pools, _listeners);
        Refuse(pool, 503);
        Refuse(pool, 429);
        _time.Advance(TimeSpan.FromSeconds(1));
        _sampler.Sample(_pools, _listeners);

        var web = _history.Pools["web"];
        Assert.Equal(2, web.Requests[1]);
        Assert.Equal(1, web.ProxyErrors[1]);
        Assert.Equal(1, web.Limited[1]);
    }

    [Fact]
    public void BackendRemovedByReload_LeavesNoNegativeRate_AndNewOnesStartFromZero()
    {
        var pool = AddPool("web", "http://a", "http://b");
        _sampler.Sample(_pools, _listeners);
        Finish(pool.Find("http://b")!, 50, 200, TimeSpan.FromMilliseconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        _sampler.Sample(_pools, _listeners);

        pool.Apply(Config("http://a", "http://c"), Algorithm);
        pool.Sweep(TimeSpan.Zero);
        Finish(pool.Find("http://c")!, 3, 200, TimeSpan.FromMilliseconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        _sampler.Sample(_pools, _listeners);

        var web = _history.Pools["web"];
        Assert.Equal(3, web.Requests[2]);
        Assert.Null(web.Backend("http://b"));
        Assert.Equal(["http://a", "http://c"], web.Backends.Select(b => b.Address));
        Assert.True(float.IsNaN(web.Backend("http://c")!.Requests[1]));
    }

    [Fact]
    public void Ring_KeepsTheLastCapacitySamples()
    {
        var pool = AddPool("web", "http://a");
        var a = pool.Find("http://a")!;
        for (var i = 0; i < 25; i++)
        {
            Finish(a, i, 200, TimeSpan.FromMilliseconds(1));
            _sampler.Sample(_pools, _listeners);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var web = _history.Pools["web"];
        Assert.Equal(25, _history.Count);
        Assert.Equal(16, _history.FirstReadable(_history.Count));
        Assert.Equal(24, web.Requests[24]);
        Assert.Equal(16, web.Requests[16]);
        Assert.Equal(_time.GetUtcNow().AddSeconds(-1).ToUnixTimeMilliseconds(), _history.TimeAt(24));
    }

    [Fact]
    public void TcpListener_ConnectionsAndBytesPerSecond()
    {
        var counters = new ListenerCounters();
        _listeners.Add(new("db", counters));
        _sampler.Sample(_pools, _listeners);
        counters.OnOpened();
        counters.OnOpened();
        counters.OnClosed();
        counters.AddBytesIn(4000);
        counters.AddBytesOut(1000);
        _time.Advance(TimeSpan.FromSeconds(2));
        _sampler.Sample(_pools, _listeners);

        var db = _history.Listeners["db"];
        Assert.Equal(1, db.Connections[1]);
        Assert.Equal(1, db.Active[1]);
        Assert.Equal(2000, db.BytesIn[1]);
        Assert.Equal(500, db.BytesOut[1]);
    }

    private static void Start(BackendState backend, int count)
    {
        for (var i = 0; i < count; i++)
        {
            backend.OnStarted();
        }
    }

    private static void Finish(BackendState backend, int count, int status, TimeSpan duration, bool generated = false)
    {
        for (var i = 0; i < count; i++)
        {
            backend.OnStarted();
            backend.Responses.Count(status);
            backend.Traffic.Record(status, generated, duration);
            backend.OnFinished(failed: generated);
        }
    }

    /// <summary>An answer the pool gave without a backend, counted as ProxyTelemetry counts it.</summary>
    private static void Refuse(Pool pool, int status)
    {
        pool.Counters.Unrouted.Count(status);
        pool.Refused.Record(status, generated: true, duration: null);
    }

    private Pool AddPool(string name, params string[] backends) =>
        _pools[name] = new Pool(name, Config(backends), Algorithm(), _time);

    private IBalancingAlgorithm Algorithm() => BalancingAlgorithms.Create("round-robin", _time, new Random(1));

    private static PoolConfig Config(params string[] backends) => new()
    {
        Health = new HealthConfig { Probe = "none" },
        Backends = [.. backends.Select(b => new BackendConfig { Address = b })],
    };
}

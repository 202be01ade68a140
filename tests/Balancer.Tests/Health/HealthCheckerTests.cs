using Balancer.Core.Configuration;
using Balancer.Core.Health;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Health;
using Balancer.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;

namespace Balancer.Tests.Health;

/// <summary>
/// The active probe loop on a fake clock with a stub probe: the first probe at once, the next one an interval
/// (±10 % jitter) later and not before, <c>rise</c> passes to go up, down at the <c>fall</c>-th failed probe and not
/// one earlier. Each step waits until the loop has armed its next interval timer before moving the clock.
/// </summary>
public sealed class HealthCheckerTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    private readonly FakeTimeProvider _clock = new();
    private readonly CountingTimeProvider _time;
    private readonly StubProbe _probe = new();
    private readonly Pool _pool;
    private readonly HealthChecker _checker;

    public HealthCheckerTests()
    {
        _time = new CountingTimeProvider(_clock);
        var config = new PoolConfig
        {
            Health = new HealthConfig { Probe = ProbeKinds.Http, Interval = Interval, Timeout = TimeSpan.FromSeconds(1), Rise = 2, Fall = 3 },
            Backends = [new BackendConfig { Address = "http://127.0.0.1:1" }],
        };
        _pool = new Pool("web", config, BalancingAlgorithms.Create(BalancingAlgorithms.RoundRobin, _clock, new Random(1)), _clock);
        _checker = new HealthChecker(_time, NullLogger.Instance, _ => _probe);
    }

    private BackendState Backend => _pool.Snapshot.All[0];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _checker.DisposeAsync();
        _pool.Dispose();
    }

    [Fact]
    public async Task Watch_ProbesAtOnceThenEveryInterval_UpAfterRiseDownAtFall()
    {
        _checker.Watch(_pool);
        await ProbedAsync(1);

        // Jitter keeps the next probe within 0.9–1.1 intervals: nothing at 0.89.
        _clock.Advance(Interval * 0.89);
        Assert.Equal(1, _probe.Count);
        _clock.Advance(Interval * 0.21);
        await ProbedAsync(2);
        Assert.Equal(BackendHealth.Up, Backend.Health);

        _probe.Passing = false;
        for (var failed = 1; failed <= 2; failed++)
        {
            _clock.Advance(Interval * 1.1);
            await ProbedAsync(2 + failed);
            Assert.Equal(BackendHealth.Up, Backend.Health);
        }

        _clock.Advance(Interval * 1.1);
        await ProbedAsync(5);
        Assert.Equal(BackendHealth.Down, Backend.Health);
        Assert.Contains("3 consecutive failed probes", Backend.HealthReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnwatchAsync_StopsTheLoop_NoMoreProbes()
    {
        _checker.Watch(_pool);
        await ProbedAsync(1);

        await _checker.UnwatchAsync(Backend);
        _clock.Advance(Interval * 5);

        Assert.Equal(1, _probe.Count);
    }

    // The n-th probe has run and its result is in: the loop has armed the timer of the next one.
    private Task ProbedAsync(int n) => Wait.Until(() => _time.TimersCreated >= n, Generous, $"probe {n} done and the next interval armed");

    private sealed class StubProbe : IProbe
    {
        private int _count;

        public bool Passing { get; set; } = true;

        public int Count => Volatile.Read(ref _count);

        public Task<ProbeResult> ProbeAsync(string address, HealthConfig health, string httpVersion, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return Task.FromResult(Passing ? ProbeResult.Pass() : ProbeResult.Fail("status 500"));
        }
    }

    /// <summary>The fake clock, counting the timers made through it (one per interval the probe loop waits).</summary>
    private sealed class CountingTimeProvider(FakeTimeProvider inner) : TimeProvider
    {
        private int _timers;

        public int TimersCreated => Volatile.Read(ref _timers);

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = inner.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref _timers);
            return timer;
        }
    }
}

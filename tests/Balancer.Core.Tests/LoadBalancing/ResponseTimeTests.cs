using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.LoadBalancing;

public sealed class ResponseTimeTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Pick_OneBackend20TimesSlower_GetsLittleButNeverNothing()
    {
        var backends = Snapshots.Backends(_time, 1, 1, 1);
        var traffic = new Traffic(_time, Snapshots.Of(new ResponseTime(new Random(11)), backends), [10, 10, 200]);

        traffic.Run(TimeSpan.FromSeconds(60));
        var early = backends[2].Requests;
        traffic.Run(TimeSpan.FromSeconds(60));

        var share = backends[2].Requests / (double)backends.Sum(b => b.Requests);
        Assert.True(share < 0.10, $"slow backend share {share:F4}");
        // Still sampled a minute later, so its estimate could recover if it did.
        Assert.True(backends[2].Requests - early > 50, $"slow backend picks in the last minute: {backends[2].Requests - early}");
    }

    [Fact]
    public void Pick_SlowBackendRecovers_RegainsItsShare()
    {
        var backends = Snapshots.Backends(_time, 1, 1, 1);
        var latencies = new[] { 10.0, 10, 200 };
        var traffic = new Traffic(_time, Snapshots.Of(new ResponseTime(new Random(5)), backends), latencies);
        traffic.Run(TimeSpan.FromSeconds(30));

        latencies[2] = 10;
        traffic.Run(TimeSpan.FromSeconds(60));
        var before = backends[2].Requests;
        var all = backends.Sum(b => b.Requests);
        traffic.Run(TimeSpan.FromSeconds(30));

        var share = (backends[2].Requests - before) / (double)(backends.Sum(b => b.Requests) - all);
        Assert.InRange(share, 0.25, 0.42);
    }

    [Fact]
    public void Pick_NewUnsampledBackend_NeitherStarvedNorFlooded()
    {
        var backends = Snapshots.Backends(_time, 1, 1, 1, 1);
        var algorithm = new ResponseTime(new Random(9));
        var latencies = new[] { 10.0, 10, 10, 10 };
        var traffic = new Traffic(_time, Snapshots.Of(algorithm, backends[..3]), latencies);
        traffic.Run(TimeSpan.FromSeconds(10));
        var before = backends.Select(b => b.Requests).ToArray();

        // The fourth joins with no samples while the others are warm.
        traffic.Snapshot = Snapshots.Of(algorithm, backends);
        traffic.Run(TimeSpan.FromMilliseconds(200));
        var firstPicks = backends[3].Requests;
        traffic.Run(TimeSpan.FromSeconds(10));

        Assert.InRange(firstPicks, 20, 100);
        var added = backends.Select((b, i) => b.Requests - before[i]).ToArray();
        Assert.InRange(added[3] / (double)added.Sum(), 0.18, 0.32);
    }

    [Fact]
    public void Pick_NewBackendBeforeItsFirstResponse_TakesItsInFlightShare()
    {
        var backends = Snapshots.Backends(_time, 1, 1, 1, 1);
        var algorithm = new ResponseTime(new Random(13));
        var traffic = new Traffic(_time, Snapshots.Of(algorithm, backends[..3]), [10, 10, 10, 50]);
        traffic.Run(TimeSpan.FromSeconds(10));

        // For its first 50 ms it has no sample: seeded at zero it would win every pairing (about
        // 25 picks), seeded high it would get none. Seeded at its rival's estimate it takes picks
        // until its in-flight count matches the warm ones' (about 2.5 each), then few more.
        traffic.Snapshot = Snapshots.Of(algorithm, backends);
        traffic.Run(TimeSpan.FromMilliseconds(50));

        Assert.InRange(backends[3].Requests, 2, 12);
    }

    /// <summary>
    /// One request per millisecond of fake time; each finishes after its backend's latency and
    /// feeds the estimate, as the proxy would.
    /// </summary>
    private sealed class Traffic(FakeTimeProvider time, PoolSnapshot snapshot, double[] latencies)
    {
        private readonly PriorityQueue<(BackendState Backend, double Latency), long> _open = new();

        public PoolSnapshot Snapshot { get; set; } = snapshot;

        public void Run(TimeSpan duration)
        {
            for (var ms = 0; ms < duration.TotalMilliseconds; ms++)
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
                while (_open.TryPeek(out var done, out var at) && at <= time.GetTimestamp())
                {
                    _open.Dequeue();
                    done.Backend.Latency.Observe(TimeSpan.FromMilliseconds(done.Latency));
                    done.Backend.OnFinished(failed: false);
                }

                var b = Snapshot.Pick()!;
                b.OnStarted();
                var latency = latencies[Array.IndexOf(Snapshot.All, b)];
                _open.Enqueue((b, latency), time.GetTimestamp() + TimeSpan.FromMilliseconds(latency).Ticks);
            }
        }
    }
}

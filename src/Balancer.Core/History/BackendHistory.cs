using Balancer.Core.Model;

namespace Balancer.Core.History;

/// <summary>The series of one backend, and what the sampler read from its counters last time.</summary>
public sealed class BackendHistory
{
    internal BackendHistory(BackendState source, TrafficHistory history)
    {
        Source = source;
        Requests = history.NewSeries();
        Errors = history.NewSeries();
        P50 = history.NewSeries();
        P99 = history.NewSeries();
        InFlight = history.NewSeries();
        Health = history.NewSeries();
        Named = [("requests", Requests), ("errors", Errors), ("p50", P50), ("p99", P99), ("inflight", InFlight), ("health", Health)];
    }

    /// <summary>Every series with the name the dashboard knows it by, in the order it lists them.</summary>
    public IReadOnlyList<(string Name, Series Series)> Named { get; }

    /// <summary>The backend's address.</summary>
    public string Address => Source.Address;

    /// <summary>Requests (or connections) handed to the backend per second.</summary>
    public Series Requests { get; }

    /// <summary>Per second, the backend's 5xx answers and the requests (or connections) it failed: refused, reset, timed out.</summary>
    public Series Errors { get; }

    /// <summary>Median request duration of the second, milliseconds.</summary>
    public Series P50 { get; }

    /// <summary>99th percentile request duration of the second, milliseconds.</summary>
    public Series P99 { get; }

    /// <summary>Requests or connections in flight at the sample.</summary>
    public Series InFlight { get; }

    /// <summary>The backend's state at the sample, a <see cref="HealthCode"/>.</summary>
    public Series Health { get; }

    /// <summary>The backend these counts were read from (a backend removed and added back is a new one).</summary>
    public BackendState Source { get; }

    /// <summary>The counts read at the last sample.</summary>
    internal TrafficCounts Previous { get; set; }

    internal long[] PreviousDurations { get; } = new long[LatencyHistogram.BucketCount];
}

/// <summary>The values of <see cref="BackendHistory.Health"/>.</summary>
public static class HealthCode
{
    /// <summary>Up and taking traffic.</summary>
    public const int Up = 0;

    /// <summary>Down (probes or passive checks).</summary>
    public const int Down = 1;

    /// <summary>Not probed yet.</summary>
    public const int Unknown = 2;

    /// <summary>Draining (by the admin API, or removed by a reload).</summary>
    public const int Draining = 3;

    /// <summary>The code of a backend's state now.</summary>
    public static int Of(BackendState backend) =>
        backend.Draining || backend.Removed ? Draining
        : backend.Health switch { BackendHealth.Up => Up, BackendHealth.Down => Down, _ => Unknown };
}

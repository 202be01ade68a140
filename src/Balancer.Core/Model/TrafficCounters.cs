namespace Balancer.Core.Model;

/// <summary>
/// What the dashboard's one-second history needs beyond the status classes /metrics counts (<see cref="StatusClassCounts"/>):
/// whose 5xx an answer was — the backend's own, or Balancer's 502/503/504 — the 429s, and durations for p50/p99. Kept
/// per backend, and per pool for the answers Balancer gave without a backend. Lock-free: a request costs one
/// interlocked increment (its duration), an error or a 429 one more.
/// </summary>
public sealed class TrafficCounters
{
    private long _backend5xx;
    private long _proxyErrors;
    private long _limited;

    /// <summary>5xx answers that came from the backend itself.</summary>
    public long Backend5xx => Interlocked.Read(ref _backend5xx);

    /// <summary>5xx answers Balancer made itself: 502 (backend unreachable), 503 (no backend, or at a limit), 504.</summary>
    public long ProxyErrors => Interlocked.Read(ref _proxyErrors);

    /// <summary>429 answers (a rate limit, ours or the backend's).</summary>
    public long Limited => Interlocked.Read(ref _limited);

    /// <summary>Durations of the requests a backend answered or failed (time from the pick to the end of the answer).</summary>
    public LatencyHistogram Durations { get; } = new();

    /// <summary>
    /// Counts one answer: <paramref name="generated"/> when Balancer wrote it (the backend failed, or there was none),
    /// <paramref name="duration"/> null when it says nothing about latency (an upgraded connection, no backend).
    /// </summary>
    public void Record(int status, bool generated, TimeSpan? duration)
    {
        if (status == 429)
        {
            Interlocked.Increment(ref _limited);
        }
        else if (status >= 500)
        {
            Interlocked.Increment(ref generated ? ref _proxyErrors : ref _backend5xx);
        }

        if (duration is { } d)
        {
            Durations.Record(d);
        }
    }
}

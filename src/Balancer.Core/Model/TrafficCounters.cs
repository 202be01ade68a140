namespace Balancer.Core.Model;

/// <summary>
/// What became of the requests of one backend (or, for a pool, of the requests no backend took): answers by kind and
/// their durations, counted lock-free on the hot path and read once a second by the dashboard's history. Connections of
/// a <c>tcp</c> pool are counted by <see cref="BackendState"/> alone.
/// </summary>
public sealed class TrafficCounters
{
    private long _responses;
    private long _backend5xx;
    private long _proxyErrors;
    private long _limited;

    /// <summary>Requests answered, whatever the status.</summary>
    public long Responses => Interlocked.Read(ref _responses);

    /// <summary>5xx answers that came from the backend itself.</summary>
    public long Backend5xx => Interlocked.Read(ref _backend5xx);

    /// <summary>5xx answers Balancer made itself: 502 (backend unreachable), 503 (no backend, or at a limit), 504.</summary>
    public long ProxyErrors => Interlocked.Read(ref _proxyErrors);

    /// <summary>429 answers (a rate limit, ours or the backend's).</summary>
    public long Limited => Interlocked.Read(ref _limited);

    /// <summary>Durations of the requests a backend answered or failed (time from the pick to the end of the answer).</summary>
    public LatencyHistogram Durations { get; } = new();

    /// <summary>Counts one answer that involved a backend; <paramref name="generated"/> when Balancer wrote it (the backend failed).</summary>
    public void Record(int status, bool generated, TimeSpan duration)
    {
        Count(status, generated);
        Durations.Record(duration);
    }

    /// <summary>Counts one answer Balancer gave without any backend (none available, a limit, a rate limit).</summary>
    public void RecordRefused(int status) => Count(status, generated: true);

    private void Count(int status, bool generated)
    {
        Interlocked.Increment(ref _responses);
        if (status == 429)
        {
            Interlocked.Increment(ref _limited);
        }
        else if (status >= 500)
        {
            Interlocked.Increment(ref generated ? ref _proxyErrors : ref _backend5xx);
        }
    }
}

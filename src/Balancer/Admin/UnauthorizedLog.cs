namespace Balancer.Admin;

/// <summary>
/// Logs refused admin calls without letting a flood of them flood the log, as failover does with rejected adverts:
/// the first refusal of a quiet period is logged at once, later ones are counted and logged as one line with the
/// count at the end of each 10 s window while they keep coming.
/// </summary>
internal sealed class UnauthorizedLog : IDisposable
{
    /// <summary>At most one line per window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private readonly ITimer _flush;
    private long? _windowStart;
    private long _suppressed;
    private string _last = "";

    public UnauthorizedLog(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
        _flush = time.CreateTimer(_ => Flush(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Records one refused call, described as <c>GET /status from 10.0.0.9</c>.</summary>
    public void Refused(string call)
    {
        lock (_lock)
        {
            if (_windowStart is not null)
            {
                _suppressed++;
                _last = call;
                return;
            }

            _windowStart = _time.GetTimestamp();
            _flush.Change(Window, Timeout.InfiniteTimeSpan);
        }

        AdminLog.Unauthorized(_logger, call);
    }

    public void Dispose() => _flush.Dispose();

    /// <summary>
    /// The window's end: the calls counted in it, as one line. Safe when the timer fires early (waits out the rest),
    /// late (the count is the same), or twice (the second finds a fresh window or nothing to say).
    /// </summary>
    internal void Flush()
    {
        long count;
        string last;
        lock (_lock)
        {
            if (_windowStart is not { } start)
            {
                return;
            }

            var elapsed = _time.GetElapsedTime(start);
            if (elapsed < Window)
            {
                _flush.Change(Window - elapsed, Timeout.InfiniteTimeSpan);
                return;
            }

            count = _suppressed;
            last = _last;
            _suppressed = 0;
            // Calls kept coming: a new window, so the next line comes no sooner than another 10 s. Else quiet again.
            _windowStart = count > 0 ? _time.GetTimestamp() : null;
            if (count > 0)
            {
                _flush.Change(Window, Timeout.InfiniteTimeSpan);
            }
        }

        if (count > 0)
        {
            AdminLog.UnauthorizedRepeated(_logger, count, (int)Window.TotalSeconds, last);
        }
    }
}

namespace Balancer.Core.Tests.TestDoubles;

/// <summary>
/// A hand-moved clock whose timers fire only when a test says so, and may be fired before they
/// are due, after, or twice, as real <see cref="TimeProvider"/> timers can (they run up to a few ms
/// before a Stopwatch deadline, and a disposed timer's callback may already be queued).
/// </summary>
public sealed class EarlyFiringTimeProvider : TimeProvider
{
    private readonly List<StubTimer> _timers = [];
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Timers created and not disposed.</summary>
    public int ActiveTimers => _timers.Count(t => !t.Disposed);

    public override long GetTimestamp() => _ticks;

    public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(_ticks);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new StubTimer(this, callback, state);
        timer.Change(dueTime, period);
        _timers.Add(timer);
        return timer;
    }

    /// <summary>Moves the clock without firing anything.</summary>
    public void Advance(TimeSpan delta) => _ticks += delta.Ticks;

    /// <summary>Fires every live timer due within <paramref name="early"/> of now (so up to that much early).</summary>
    public int FireDue(TimeSpan early = default)
    {
        var due = _timers.Where(t => !t.Disposed && t.DueAt is { } at && at - early.Ticks <= _ticks).ToList();
        foreach (var t in due)
        {
            t.DueAt = null;
            t.Fire();
        }

        return due.Count;
    }

    /// <summary>Runs the callback of every timer ever created, disposed or not: a stale, queued callback.</summary>
    public void FireAllIncludingDisposed()
    {
        foreach (var t in _timers.ToList())
        {
            t.Fire();
        }
    }

    private sealed class StubTimer(EarlyFiringTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long? DueAt { get; set; }

        public bool Disposed { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._ticks + dueTime.Ticks;
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => Disposed = true;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

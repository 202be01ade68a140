namespace Balancer.Failover;

/// <summary>
/// When a master sends its next gratuitous ARP: a burst of <c>repeat</c> about 100 ms apart after it takes (or
/// re-announces) the virtual IPs, the same burst again <see cref="SecondSetDelay"/> later, then one every
/// <c>refresh</c> while it stays master (keepalived's garp_master_repeat, garp_master_delay and garp_master_refresh).
/// Times are offsets on the caller's clock.
/// </summary>
/// <remarks>
/// The second set is what corrects a neighbour that took a rival's announcement within its ARP locktime (Linux:
/// <c>neigh/default/locktime</c>, 1 s): it ignores a different address for that long after an update, so when two
/// masters announce at once (one frozen past Master_Down_Interval and replaced, then resuming) the first set of the one
/// that stays can be lost. keepalived waits 5 s by default; 2 s is past the locktime and keeps such an outage short.
/// </remarks>
internal sealed class GarpSchedule(int repeat, TimeSpan refresh)
{
    /// <summary>Spacing of the burst; keepalived sends its repeats back to back, a little air helps busy switches.</summary>
    public static readonly TimeSpan BurstSpacing = TimeSpan.FromMilliseconds(100);

    /// <summary>From the first announcement of a burst to the first of its second set.</summary>
    public static readonly TimeSpan SecondSetDelay = TimeSpan.FromSeconds(2);

    private int _left;
    private TimeSpan? _secondSetAt;

    /// <summary>When the next announcement is due, or null when none is.</summary>
    public TimeSpan? DueAt { get; private set; }

    /// <summary>The first announcement of a burst was just sent at <paramref name="now"/>: schedule the rest, and the second set.</summary>
    public void BurstSent(TimeSpan now)
    {
        _left = Math.Max(0, repeat - 1);
        _secondSetAt = repeat > 0 ? now + SecondSetDelay : null;
        Schedule(now);
    }

    /// <summary>An announcement due at <see cref="DueAt"/> was sent at <paramref name="now"/>.</summary>
    public void Sent(TimeSpan now)
    {
        if (_left > 0)
        {
            _left--;
        }
        else if (_secondSetAt is { } second && now >= second)
        {
            // That was the first of the second set.
            _left = Math.Max(0, repeat - 1);
            _secondSetAt = null;
        }

        Schedule(now);
    }

    /// <summary>A master's schedule rebuilt by a reload at <paramref name="now"/>: the refresh goes on, no burst.</summary>
    public void Resume(TimeSpan now)
    {
        (_left, _secondSetAt) = (0, null);
        Schedule(now);
    }

    /// <summary>The node is no longer master: nothing more to announce.</summary>
    public void Stop()
    {
        _left = 0;
        _secondSetAt = null;
        DueAt = null;
    }

    private void Schedule(TimeSpan now) =>
        DueAt = _left > 0 ? now + BurstSpacing : _secondSetAt ?? (refresh > TimeSpan.Zero ? now + refresh : null);
}

namespace Balancer.Failover;

/// <summary>
/// When a master sends its next gratuitous ARP: a burst of <c>repeat</c> about 100 ms apart after it takes the
/// virtual IPs, then one every <c>refresh</c> while it stays master (keepalived's garp_master_repeat and
/// garp_master_refresh). Times are offsets on the caller's clock.
/// </summary>
internal sealed class GarpSchedule(int repeat, TimeSpan refresh)
{
    /// <summary>Spacing of the burst; keepalived sends its repeats back to back, a little air helps busy switches.</summary>
    public static readonly TimeSpan BurstSpacing = TimeSpan.FromMilliseconds(100);

    private int _left;

    /// <summary>When the next announcement is due, or null when none is.</summary>
    public TimeSpan? DueAt { get; private set; }

    /// <summary>The first announcement of a burst was just sent at <paramref name="now"/>: schedule the rest.</summary>
    public void BurstSent(TimeSpan now)
    {
        _left = Math.Max(0, repeat - 1);
        Schedule(now);
    }

    /// <summary>An announcement due at <see cref="DueAt"/> was sent at <paramref name="now"/>.</summary>
    public void Sent(TimeSpan now)
    {
        _left = Math.Max(0, _left - 1);
        Schedule(now);
    }

    /// <summary>The node is no longer master: nothing more to announce.</summary>
    public void Stop()
    {
        _left = 0;
        DueAt = null;
    }

    private void Schedule(TimeSpan now) =>
        DueAt = _left > 0 ? now + BurstSpacing : refresh > TimeSpan.Zero ? now + refresh : null;
}

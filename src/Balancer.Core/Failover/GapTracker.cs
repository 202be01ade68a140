namespace Balancer.Core.Failover;

/// <summary>The longest time between consecutive events of one series; <see cref="Break"/> starts a new series.</summary>
internal struct GapTracker
{
    private TimeSpan? _last;

    /// <summary>The longest gap seen in any series so far.</summary>
    public TimeSpan Longest { get; private set; }

    /// <summary>An event at <paramref name="now"/>; the gap since the one before, or null when it is the first of its series.</summary>
    public TimeSpan? Saw(TimeSpan now)
    {
        var gap = now - _last;
        if (gap > Longest)
        {
            Longest = gap.Value;
        }

        _last = now;
        return gap;
    }

    /// <summary>The series ends (a state change): the next event has no predecessor.</summary>
    public void Break() => _last = null;
}

namespace Balancer.Core.Failover;

/// <summary>The longest time between consecutive events of one series; <see cref="Break"/> starts a new series.</summary>
internal struct GapTracker
{
    private TimeSpan? _last;

    /// <summary>The longest gap seen in any series so far.</summary>
    public TimeSpan Longest { get; private set; }

    /// <summary>An event at <paramref name="now"/>.</summary>
    public void Saw(TimeSpan now)
    {
        if (_last is { } last && now - last > Longest)
        {
            Longest = now - last;
        }

        _last = now;
    }

    /// <summary>The series ends (a state change): the next event has no predecessor.</summary>
    public void Break() => _last = null;
}

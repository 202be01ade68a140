using System.Globalization;

namespace Balancer.Core.Announce;

/// <summary>
/// Decides whether the node announces its virtual IPs, from checks of its health (<see cref="AnnounceHealth"/>), with
/// rise/fall hysteresis so that a flapping pool cannot make the router churn: a withdrawn node announces after
/// <c>rise</c> consecutive healthy checks, an announcing one withdraws after <c>fall</c> consecutive unhealthy ones
/// (the counts of HAProxy's <c>rise</c>/<c>fall</c> and anycast-healthchecker's <c>check_rise</c>/<c>check_fail</c>).
/// A node starts withdrawn, so it too must be healthy <c>rise</c> times: a node that crash-loops never announces.
/// No I/O: the caller applies <see cref="State"/> to the interface.
/// </summary>
/// <remarks>
/// The checks are counted as they come, but a streak of n checks also has to span n − 1 intervals (less half an
/// interval for timer jitter): a timer that fires twice at once, or early, cannot shorten the hysteresis. A check
/// that comes later than the addresses' lifetime after the one before (the process was stopped or starved) finds the
/// kernel has already dropped the addresses: the node is withdrawn, and has to rise again.
/// </remarks>
public sealed class AnnounceMachine(AnnounceOptions options, TimeProvider time)
{
    private readonly long _origin = time.GetTimestamp();
    private readonly List<AnnounceTransition> _transitions = [];
    private AnnounceOptions _options = options;
    private TimeSpan? _lastCheck;
    private DateTimeOffset? _lastCheckAt;
    private AnnounceHealth? _lastHealth;
    private bool _streakHealthy;
    private int _streak;
    private TimeSpan _streakStart;
    private long _transitionCount;
    private AnnounceTransition? _lastTransition;

    /// <summary>Whether the node carries the addresses now.</summary>
    public AnnounceState State { get; private set; } = AnnounceState.Withdrawn;

    /// <summary>When <see cref="State"/> was entered.</summary>
    public DateTimeOffset Since { get; private set; } = time.GetUtcNow();

    private TimeSpan Now => time.GetElapsedTime(_origin);

    /// <summary>Takes one check; returns the transitions it caused (none, or a stall's withdrawal and then a new announcement).</summary>
    public IReadOnlyList<AnnounceTransition> Observe(AnnounceHealth health)
    {
        _transitions.Clear();
        var now = Now;
        var lifetime = _options.AddressLifetime;
        if (State == AnnounceState.Announced && lifetime > TimeSpan.Zero && now - _lastCheck > lifetime)
        {
            ChangeState(AnnounceState.Withdrawn, $"no check for {Seconds(now - _lastCheck!.Value)} s, longer than the {Seconds(lifetime)} s address lifetime: the kernel has dropped the addresses");
            _streak = 0;
        }

        _lastCheck = now;
        _lastCheckAt = time.GetUtcNow();
        _lastHealth = health;
        if (State == AnnounceState.Stopping)
        {
            return [.. _transitions];
        }

        if (_streak == 0 || health.Healthy != _streakHealthy)
        {
            (_streakHealthy, _streak, _streakStart) = (health.Healthy, 1, now);
        }
        else
        {
            _streak++;
        }

        if (State == AnnounceState.Withdrawn && health.Healthy && Reached(_options.Rise, now))
        {
            ChangeState(AnnounceState.Announced, _streak == 1 ? "healthy" : $"healthy for {_streak} checks");
        }
        else if (State == AnnounceState.Announced && !health.Healthy && Reached(_options.Fall, now))
        {
            ChangeState(AnnounceState.Withdrawn, health.Problem!);
        }

        return [.. _transitions];
    }

    /// <summary>Shutdown: withdrawn for good, whatever the health. Null when already stopping.</summary>
    public AnnounceTransition? Stop()
    {
        _transitions.Clear();
        if (State != AnnounceState.Stopping)
        {
            ChangeState(AnnounceState.Stopping, "shutting down");
        }

        return _transitions.Count == 0 ? null : _transitions[0];
    }

    /// <summary>A reload's new hysteresis; the current streak counts towards it.</summary>
    public void Reconfigure(AnnounceOptions next) => _options = next;

    /// <summary>The state, why, and the last check.</summary>
    public AnnounceSnapshot GetSnapshot() => new()
    {
        State = State,
        Reason = Reason(),
        Since = Since,
        Transitions = _transitionCount,
        LastTransition = _lastTransition,
        LastCheck = _lastHealth,
        LastCheckAt = _lastCheckAt,
        Streak = _streak,
        Options = _options,
    };

    private bool Reached(int needed, TimeSpan now) =>
        _streak >= needed && now - _streakStart >= ((needed - 1) * _options.Interval) - (_options.Interval / 2);

    /// <summary>The reason as of the last check: what is wrong, or how far the hysteresis has got.</summary>
    private string Reason()
    {
        if (State == AnnounceState.Stopping || _lastHealth is null)
        {
            return State == AnnounceState.Stopping ? "shutting down" : "starting: no check yet";
        }

        var problem = _lastHealth.Problem;
        return (State, problem) switch
        {
            (AnnounceState.Withdrawn, null) => $"healthy for {_streak} of {_options.Rise} checks",
            (AnnounceState.Withdrawn, _) => problem,
            (_, null) => "healthy",
            _ => $"{problem} ({_streak} of {_options.Fall} checks)",
        };
    }

    private void ChangeState(AnnounceState next, string reason)
    {
        var transition = new AnnounceTransition(State, next, reason, time.GetUtcNow());
        State = next;
        Since = transition.At;
        _transitionCount++;
        _lastTransition = transition;
        _transitions.Add(transition);
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
}

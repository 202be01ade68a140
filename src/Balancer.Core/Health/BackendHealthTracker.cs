using Balancer.Core.Model;

namespace Balancer.Core.Health;

/// <summary>
/// Rise/fall hysteresis (HAProxy's <c>rise</c>/<c>fall</c>) plus passive ejection for one
/// backend. Pure bookkeeping: callers hold the pool monitor's lock and apply the verdict.
/// </summary>
internal sealed class BackendHealthTracker
{
    private int _successes;
    private int _failures;

    /// <summary>What active probing says: Unknown until the first probe, then Up or Down.</summary>
    public BackendHealth Active { get; private set; }

    /// <summary>Timestamp until which the backend stays ejected by passive checks.</summary>
    public long EjectedUntil { get; private set; }

    /// <summary>Ejections since the backend last stayed healthy for a whole max ejection time.</summary>
    public int Ejections { get; private set; }

    private long LastEjectedAt { get; set; }

    /// <summary>A pool without active probes treats its backends as passing.</summary>
    public void AssumeUp() => Active = BackendHealth.Up;

    /// <summary>Feeds one probe result; returns the reason when the active verdict changed.</summary>
    public string? OnProbe(ProbeResult result, int rise, int fall)
    {
        if (result.Success)
        {
            _failures = 0;
            _successes++;
            if (Active == BackendHealth.Unknown)
            {
                Active = BackendHealth.Up;
                return $"first probe passed ({result.Detail})";
            }

            if (Active == BackendHealth.Down && _successes >= rise)
            {
                Active = BackendHealth.Up;
                return $"{_successes} consecutive successful probes";
            }

            return null;
        }

        _successes = 0;
        _failures++;
        if (Active == BackendHealth.Unknown)
        {
            // Never took traffic, so there is no flapping to guard against: down at once.
            Active = BackendHealth.Down;
            return $"first probe failed: {result.Detail}";
        }

        if (Active == BackendHealth.Up && _failures >= fall)
        {
            Active = BackendHealth.Down;
            return $"{_failures} consecutive failed probes, last: {result.Detail}";
        }

        return null;
    }

    /// <summary>Ejects for a back-off that doubles on each repeat offence (Envoy outlier detection); returns its length.</summary>
    public TimeSpan Eject(long now, long frequency, TimeSpan baseTime, TimeSpan maxTime)
    {
        // Forgive old offences once the backend has behaved for a whole max ejection time.
        if (Ejections > 0 && (now - LastEjectedAt) / (double)frequency > maxTime.TotalSeconds + baseTime.TotalSeconds)
        {
            Ejections = 0;
        }

        Ejections++;
        var seconds = Math.Min(maxTime.TotalSeconds, baseTime.TotalSeconds * Math.Pow(2, Ejections - 1));
        var length = TimeSpan.FromSeconds(seconds);
        LastEjectedAt = now;
        EjectedUntil = now + (long)(seconds * frequency);
        return length;
    }

    /// <summary>The health that takes traffic decisions: the active verdict, overridden while ejected.</summary>
    public BackendHealth Effective(long now) =>
        now < EjectedUntil ? BackendHealth.Down : Active;
}

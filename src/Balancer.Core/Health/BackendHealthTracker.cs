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

    /// <summary>Length of the current (or last) passive ejection.</summary>
    public TimeSpan EjectLength { get; private set; }

    /// <summary>Ejections since the backend last stayed healthy for a whole max ejection time.</summary>
    public int Ejections { get; private set; }

    private long LastEjectedAt { get; set; }

    /// <summary>A pool without active probes treats its backends as passing.</summary>
    public void AssumeUp() => Active = BackendHealth.Up;

    /// <summary>True while a passive ejection holds the backend out at <paramref name="now"/>.</summary>
    public bool IsEjected(long now) => now < EjectedUntil;

    /// <summary>
    /// Feeds one probe result; returns the reason when the effective verdict changed. <paramref name="rise"/>
    /// passes in a row after a passive ejection end it at once (Envoy's
    /// <c>successful_active_health_check_uneject_host</c>; HAProxy's checks bring a server back).
    /// </summary>
    public string? OnProbe(ProbeResult result, int rise, int fall, long now)
    {
        var reason = OnActive(result, rise, fall);
        if (result.Success && IsEjected(now) && Active == BackendHealth.Up && _successes >= rise)
        {
            EjectedUntil = 0;
            return $"passive ejection ended by {_successes} consecutive successful probes";
        }

        return reason;
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
        EjectLength = TimeSpan.FromSeconds(seconds);
        LastEjectedAt = now;
        EjectedUntil = now + (long)(seconds * frequency);
        _successes = 0; // only probes that pass after the ejection may end it
        return EjectLength;
    }

    /// <summary>The health that takes traffic decisions: the active verdict, overridden while ejected.</summary>
    public BackendHealth Effective(long now) =>
        IsEjected(now) ? BackendHealth.Down : Active;

    private string? OnActive(ProbeResult result, int rise, int fall)
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
}

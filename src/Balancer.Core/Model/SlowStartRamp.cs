namespace Balancer.Core.Model;

/// <summary>
/// While a backend of a pool is in slow start, refreshes the pool's snapshot in twenty steps so its weight ramps; no
/// timer while none is. Called under the pool's write lock.
/// </summary>
internal sealed class SlowStartRamp(TimeProvider time, Action refresh) : IDisposable
{
    private const int Steps = 20;
    private ITimer? _timer;

    /// <summary>Starts the ramp's timer (a step every twentieth of <paramref name="slowStart"/>) when a backend is ramping, stops it when none is.</summary>
    public void Schedule(bool ramping, TimeSpan slowStart)
    {
        if (!ramping)
        {
            Dispose();
            return;
        }

        var step = slowStart / Steps;
        _timer ??= time.CreateTimer(_ => refresh(), null, step, step);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _timer?.Dispose();
        _timer = null;
    }
}

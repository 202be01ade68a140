namespace Balancer.Failover;

/// <summary>Time since the failover service started, on the injected <see cref="TimeProvider"/>: the offsets its schedules use.</summary>
internal sealed class ElapsedClock(TimeProvider time)
{
    private readonly long _origin = time.GetTimestamp();

    /// <summary>Time since this clock was made.</summary>
    public TimeSpan Now => time.GetElapsedTime(_origin);
}

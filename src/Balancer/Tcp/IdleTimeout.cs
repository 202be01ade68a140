namespace Balancer.Tcp;

/// <summary>
/// The idle timeout of one proxied connection (HAProxy's "timeout tunnel"): <see cref="Token"/> is
/// cancelled once no traffic has been seen either way for the timeout. Traffic only writes a timestamp
/// (<see cref="Touch"/>); the one timer, when it fires, re-arms itself for the time still left, as
/// Kestrel's heartbeat checks its connection timeouts. Re-arming a timer per read took the runtime's
/// timer-queue lock once per chunk (docs/performance-notes.md, L4).
/// </summary>
internal sealed class IdleTimeout : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;
    private readonly ITimer _timer;
    private long _lastActivity;

    /// <summary>Starts the clock now, as if there had just been traffic.</summary>
    public IdleTimeout(TimeSpan timeout, TimeProvider time)
    {
        _time = time;
        _timeout = timeout;
        _lastActivity = time.GetTimestamp();
        _timer = time.CreateTimer(static s => ((IdleTimeout)s!).OnTimer(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Cancelled when the connection has been idle for the timeout, or by <see cref="CancelAsync"/>.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Records traffic: the timeout starts over from now.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    /// <summary>Cancels <see cref="Token"/> now (a reset or an error ends both directions).</summary>
    public Task CancelAsync() => _stop.CancelAsync();

    public void Dispose()
    {
        _timer.Dispose();
        _stop.Dispose();
    }

    private void OnTimer()
    {
        var idle = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        try
        {
            if (idle >= _timeout)
            {
                _stop.Cancel();
            }
            else
            {
                _timer.Change(_timeout - idle, Timeout.InfiniteTimeSpan);
            }
        }
        catch (ObjectDisposedException)
        {
            // The connection ended while the timer fired.
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Balancer.Core.Failover;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// The one loop, on a thread of its own: it waits in poll(2) for a datagram until the earliest timer, never busy.
/// Not on the thread pool, because a pool saturated by proxy work delays an advert or its reading: with the loop on
/// the pool, bench/failover/load.sh measured a 340 ms gap between adverts at 100 ms (Master_Down_Interval 361 ms).
/// It waits on the real clock; the <see cref="TimeProvider"/> gives the times the machine sees.
/// </summary>
internal sealed partial class FailoverService
{
    /// <summary>The longest poll: how soon the loop sees a stop or shutdown request when no timer is nearer.</summary>
    private static readonly TimeSpan _maxPoll = TimeSpan.FromMilliseconds(50);
    private static readonly IPEndPoint _anyV4 = new(IPAddress.Any, 0);
    private static readonly IPEndPoint _anyV6 = new(IPAddress.IPv6Any, 0);

    private void RunLoop()
    {
        try
        {
            _trackAt = Now;
            RunTracking();
            if (!_shutdownRequested.Task.IsCompleted)
            {
                Apply(_machine.Start());
            }

            while (!_stop.IsCancellationRequested && !(_shutdownRequested.Task.IsCompleted && _machine.State == FailoverState.Init))
            {
                if (_machine.HandingOver)
                {
                    _garp.Stop(); // a late announcement of ours would pull neighbours back from the successor
                }

                var wait = NextWake();
                // poll(2) counts whole milliseconds: round up, or the loop wakes early and spins until the timer is due.
                wait = wait == Timeout.InfiniteTimeSpan || wait > _maxPoll ? _maxPoll : TimeSpan.FromMilliseconds(Math.Ceiling(Math.Max(0, wait.TotalMilliseconds)));
                if (_socket.Poll(wait, SelectMode.SelectRead))
                {
                    ReceivePending();
                }

                RunDueTimers();
            }
        }
        catch (ObjectDisposedException)
        {
            // The socket closed under an overrunning loop at shutdown.
        }
        catch (Exception e)
        {
            Log.FailoverLoopFailed(_logger, e);
        }
        finally
        {
            _loopDone.TrySetResult();
        }
    }

    /// <summary>
    /// Takes in every datagram that has arrived before any timer fires: after a stall of the process (a GC pause)
    /// both are ready, and a backup must not declare the master dead with its advert waiting in the socket. Bounded,
    /// so a flood cannot hold the timers off.
    /// </summary>
    private void ReceivePending()
    {
        for (var i = 0; i < 16 && (i == 0 || _socket.Available > 0); i++)
        {
            EndPoint from = _socket.AddressFamily == AddressFamily.InterNetworkV6 ? _anyV6 : _anyV4;
            int length;
            try
            {
                length = _socket.ReceiveFrom(_buffer, SocketFlags.None, ref from);
            }
            catch (SocketException e)
            {
                Log.FailoverReceiveFailed(_logger, e.Message);
                Thread.Sleep(10); // a failing socket must not spin
                return;
            }

            OnDatagram(length, (IPEndPoint)from);
        }
    }

    private void OnDatagram(int length, IPEndPoint source)
    {
        var actions = _machine.OnDatagram(_buffer.AsSpan(0, length), source);
        if (actions.Count == 0)
        {
            foreach (var (reason, count) in _rejects.Admit(_machine.GetSnapshot().RejectedPackets))
            {
                Log.FailoverPacketRejected(_logger, source.ToString(), reason, count);
            }
        }

        Apply(actions);
    }

    private TimeSpan NextWake()
    {
        var now = Now;
        var next = _machine.NextTimerDue ?? Timeout.InfiniteTimeSpan;
        foreach (var at in new[] { _config.Track is null ? null : _trackAt, _garp.DueAt })
        {
            if (at is { } due)
            {
                var wait = due > now ? due - now : TimeSpan.Zero;
                next = next == Timeout.InfiniteTimeSpan || wait < next ? wait : next;
            }
        }

        return next;
    }

    private void RunDueTimers()
    {
        // Tick fires one timer per call; a few calls catch up with any that came due together.
        for (var i = 0; i < 4 && _machine.NextTimerDue is { } due && due <= TimeSpan.Zero; i++)
        {
            Apply(_machine.Tick());
        }

        if (_config.Track is not null && Now >= _trackAt)
        {
            RunTracking();
        }

        if (_garp.DueAt is { } garpAt && Now >= garpAt)
        {
            Enqueue(Announce); // behind any pending add: arping cannot send from an address not yet on the interface
            _garp.Sent(Now);
        }
    }

    /// <summary>keepalived's track weight over pools: sick while any tracked pool has no available backend.</summary>
    private void RunTracking()
    {
        _trackAt = Now + _config.AdvertInterval;
        if (_config.Track is not { } track)
        {
            return;
        }

        var healthy = track.Pools.All(name => _pools.Get(name) is { } pool && pool.Snapshot.Available.Length > 0);
        Apply(_machine.SetTrackedHealth(healthy));
    }
}

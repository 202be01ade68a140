using System.Net;
using System.Net.Sockets;
using Balancer.Core.Failover;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>The one loop: a pending receive raced against a delay until the earliest timer, never a busy wait.</summary>
internal sealed partial class FailoverService
{
    private static readonly IPEndPoint _anyV4 = new(IPAddress.Any, 0);
    private static readonly IPEndPoint _anyV6 = new(IPAddress.IPv6Any, 0);

    private async Task RunLoopAsync(CancellationToken stop)
    {
        try
        {
            _trackAt = Now;
            RunTracking();
            Apply(_machine.Start());
            var receive = ReceiveAsync(stop);
            var shutdown = false;
            while (!stop.IsCancellationRequested && !(shutdown && _machine.State == FailoverState.Init))
            {
                if (!shutdown && _shutdownRequested.Task.IsCompleted)
                {
                    // Before anything else: a master's resign advert goes out now, and it keeps running the loop to
                    // hear its successor (FailoverMachine.Shutdown); any other state leaves at once.
                    shutdown = true;
                    _garp.Stop(); // a late announcement of ours would pull neighbours back from the successor
                    Apply(_machine.Shutdown());
                    continue;
                }

                using (var wake = CancellationTokenSource.CreateLinkedTokenSource(stop))
                {
                    var delay = Task.Delay(NextWake(), _time, wake.Token);
                    await Task.WhenAny(receive, delay, shutdown ? delay : _shutdownRequested.Task);

                    // Adverts that arrived count before any timer fires, even when the timer woke us: after a stall
                    // (a GC pause, a starved thread pool) both are ready, and a backup must not declare the master
                    // dead with its advert waiting in the socket. Bounded, so a flood cannot hold the timers off.
                    for (var i = 0; i < 16 && (receive.IsCompleted || (!stop.IsCancellationRequested && _socket.Available > 0)); i++)
                    {
                        if (await receive is { } received)
                        {
                            OnDatagram(received.ReceivedBytes, (IPEndPoint)received.RemoteEndPoint);
                        }

                        receive = ReceiveAsync(stop);
                    }

                    await wake.CancelAsync();
                }

                RunDueTimers();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.FailoverLoopFailed(_logger, e);
        }
    }

    /// <summary>The next datagram, or null when the receive failed (logged) or was cancelled.</summary>
    private async Task<SocketReceiveFromResult?> ReceiveAsync(CancellationToken stop)
    {
        try
        {
            var any = _socket.AddressFamily == AddressFamily.InterNetworkV6 ? _anyV6 : _anyV4;
            return await _socket.ReceiveFromAsync(_buffer, SocketFlags.None, any, stop);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException e)
        {
            Log.FailoverReceiveFailed(_logger, e.Message);
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, CancellationToken.None); // a failing socket must not spin
            return null;
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

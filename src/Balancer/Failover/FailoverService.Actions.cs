using System.Net.Sockets;
using Balancer.Core.Failover;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>Applying the machine's actions: adverts at once, everything slow in order on the worker.</summary>
internal sealed partial class FailoverService
{
    private void Apply(IReadOnlyList<FailoverAction> actions)
    {
        foreach (var action in actions)
        {
            switch (action)
            {
                case FailoverAction.SendAdvert advert:
                    SendAdvert(advert.Datagram);
                    break;
                case FailoverAction.AddVips:
                    // Its log line waits until the first announcement queued right behind is out: the first use of a
                    // log message costs JIT and formatting, measured at 10-30 ms between the add and the ARP on a busy
                    // host, while clients still send to the dead master's MAC (docs/benchmarks.md, Failover).
                    Enqueue(Timed(_vips.AddAsync, "added", logNow: _config.GarpRepeat == 0));
                    break;
                case FailoverAction.RemoveVips:
                    _garp.Stop();
                    Enqueue(Timed(_vips.RemoveAsync, "removed"));
                    break;
                case FailoverAction.SendGratuitousArp:
                    // The first announcement follows the add on the worker; the rest of the burst and the refreshes are timed by the loop.
                    if (_config.GarpRepeat > 0)
                    {
                        Enqueue(Timed(Announce, "announced"));
                    }

                    _garp.BurstSent(Now);
                    break;
                case FailoverAction.RunNotifyHook hook:
                    var hooks = _hooks;
                    Enqueue(() => hooks.RunAsync(hook.State));
                    break;
                case FailoverAction.StateChanged changed:
                    _transitionAt = Now;
                    if (changed.To != FailoverState.Master)
                    {
                        _garp.Stop();
                    }

                    Log.FailoverStateChanged(_logger, changed.From, changed.To, changed.Event, changed.Reason);
                    break;
                case FailoverAction.PriorityChanged priority:
                    Log.FailoverPriorityChanged(_logger, priority.From, priority.To, priority.Healthy);
                    break;
                case FailoverAction.DualMasterDetected dual:
                    Log.FailoverDualMaster(_logger, dual.PeerNodeId, dual.PeerPriority);
                    break;
                case FailoverAction.ConfigDriftChanged drift:
                    Log.FailoverConfigDrift(_logger, drift.Drift, drift.PeerNodeId, drift.PeerHash);
                    break;
            }
        }
    }

    private void SendAdvert(ReadOnlyMemory<byte> datagram)
    {
        foreach (var peer in _peers)
        {
            try
            {
                _socket.SendTo(datagram.Span, SocketFlags.None, peer);
            }
            catch (SocketException e)
            {
                // An unreachable peer is what failover is for; the next advert tries again.
                Log.FailoverReceiveFailed(_logger, $"send to {peer}: {e.Message}");
            }
        }
    }

    /// <summary>Logs, once done, how long after the last transition <paramref name="work"/> finished: the takeover's critical path.</summary>
    private Func<Task> Timed(Func<Task> work, string action, bool logNow = true) => async () =>
    {
        await work();
        var after = Now - _transitionAt;
        if (!logNow)
        {
            _deferredDone = (action, after);
            return;
        }

        if (_deferredDone is var (earlierAction, earlierAfter))
        {
            _deferredDone = null;
            Log.FailoverVipsDone(_logger, earlierAction, earlierAfter.TotalMilliseconds);
        }

        Log.FailoverVipsDone(_logger, action, after.TotalMilliseconds);
    };

    private void Enqueue(Func<Task> work)
    {
        if (!_work.IsAddingCompleted)
        {
            try
            {
                _work.Add(work);
            }
            catch (InvalidOperationException)
            {
                // Completed meanwhile: shutting down, nothing more to do.
            }
        }
    }

    /// <summary>Starts one round of gratuitous ARP without waiting: arping lingers a second for replies that never come.</summary>
    private Task Announce()
    {
        _ = _vips.AnnounceAsync().ContinueWith(
            t => Log.FailoverCommandFailed(_logger, "(gratuitous ARP)", t.Exception!.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return Task.CompletedTask;
    }

    /// <summary>The worker thread: runs the slow actions in order, each to its end (a command's own timeout bounds it).</summary>
    private void RunWorker()
    {
        foreach (var work in _work.GetConsumingEnumerable())
        {
            try
            {
                work().GetAwaiter().GetResult();
            }
            catch (Exception e)
            {
                Log.FailoverCommandFailed(_logger, "(failover action)", e.Message);
            }
        }

        _workerDone.TrySetResult();
    }
}

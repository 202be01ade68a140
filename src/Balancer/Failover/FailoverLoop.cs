using System.Net;
using Balancer.Core.Configuration;
using Balancer.Core.Failover;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// The one loop, on a thread of its own: it waits in poll(2) for a datagram until the earliest timer, never busy, and
/// feeds the machine datagrams, timer ticks and the tracked health, applying what it returns. Not on the thread pool,
/// because a pool saturated by proxy work delays an advert or its reading: with the loop on the pool,
/// bench/failover/load.sh measured a 340 ms gap between adverts at 100 ms (Master_Down_Interval 361 ms). It waits on
/// the real clock; the <see cref="TimeProvider"/> gives the times the machine sees.
/// </summary>
internal sealed class FailoverLoop(
    FailoverMachine machine, AdvertSocket socket, FailoverEffects effects, PoolTracking tracking, InterfaceWatch? link, Func<FailoverConfig> config,
    Task shutdownRequested, ElapsedClock clock, TimeProvider time, ILogger logger)
{
    /// <summary>The longest poll: how soon the loop sees a stop or shutdown request when no timer is nearer.</summary>
    private static readonly TimeSpan _maxPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>Datagrams taken in per wake-up at most, so that a flood cannot hold the timers off.</summary>
    private const int ReceiveBatch = 16;

    private readonly RejectLogLimiter _rejects = new(time, logger);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopped;

    /// <summary>Completes when the loop has ended: shut down, stopped, or failed (logged).</summary>
    public Task Done => _done.Task;

    /// <summary>How long the loop waits for <c>ready</c> at most: the interface check's command timeout.</summary>
    internal static readonly TimeSpan ReadyBound = TimeSpan.FromSeconds(5);

    /// <summary>Starts the loop's thread; the machine starts when <paramref name="ready"/> completes (or after <see cref="ReadyBound"/>).</summary>
    public void Start(Task ready) => new Thread(() => Run(ready)) { IsBackground = true, Name = "failover loop" }.Start();

    /// <summary>Ends the loop at its next wake-up (within <see cref="_maxPoll"/>), handed over or not.</summary>
    public void Stop() => _stopped = true;

    private void Run(Task ready)
    {
        try
        {
            LoopPriority.RaiseCurrentThread(config().RealtimePriority, logger);
            // Until the virtual IP actions are warm this node stays in INIT: it neither advertises nor takes over, so it
            // cannot displace a master before it can add the address itself. A failed check logs its own error.
            ready.Wait(ReadyBound);
            // The socket is bound first thing at start-up, seconds before this on a busy host: what queued meanwhile is
            // stale (its send times beyond maxClockSkew read as replays) and the peers send again every interval.
            socket.Drain(_maxPoll, static (_, _) => { });
            CheckInterface();
            CheckTracking();
            if (!shutdownRequested.IsCompleted)
            {
                effects.Apply(machine.Start());
            }

            while (!_stopped && !(shutdownRequested.IsCompleted && machine.AllIn(FailoverState.Init)))
            {
                if (machine.HandingOver)
                {
                    effects.StopGarp(); // a late announcement of ours would pull neighbours back from the successor
                }

                var wait = NextWake();
                // poll(2) counts whole milliseconds: round up, or the loop wakes early and spins until the timer is due.
                wait = wait == Timeout.InfiniteTimeSpan || wait > _maxPoll ? _maxPoll : TimeSpan.FromMilliseconds(Math.Ceiling(Math.Max(0, wait.TotalMilliseconds)));

                // A datagram that has arrived is taken in before any timer fires: after a stall of the process (a GC
                // pause) both are ready, and a backup must not declare the master dead with its advert in the socket.
                if (socket.Poll(wait))
                {
                    socket.ReceivePending(ReceiveBatch, OnDatagram);
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
            Log.FailoverLoopFailed(logger, e);
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        effects.Apply(machine.OnDatagram(datagram, source));
        _rejects.Check(machine);
    }

    private TimeSpan NextWake()
    {
        var now = clock.Now;
        var next = machine.NextTimerDue ?? Timeout.InfiniteTimeSpan;
        next = Earlier(next, tracking.DueAt(config()), now);
        next = Earlier(next, link?.DueAt, now);
        return Earlier(next, effects.GarpDueAt, now);
    }

    private static TimeSpan Earlier(TimeSpan next, TimeSpan? at, TimeSpan now)
    {
        if (at is not { } due)
        {
            return next;
        }

        var wait = due > now ? due - now : TimeSpan.Zero;
        return next == Timeout.InfiniteTimeSpan || wait < next ? wait : next;
    }

    private void RunDueTimers()
    {
        if (machine.NextTimerDue is { } silence && silence <= TimeSpan.Zero && (machine.AnyIn(FailoverState.Backup) || machine.HandingOver))
        {
            // A timer that judges silence (master down, the hand-over's successor) looks at what has arrived first: an
            // advert queued behind a flood of forged datagrams means the master lives (#26 item 3).
            socket.Drain(config().AdvertInterval, OnDatagram);
        }

        // Tick fires one timer per call; a few calls catch up with any that came due together.
        for (var i = 0; i < 4 && machine.NextTimerDue is { } due && due <= TimeSpan.Zero; i++)
        {
            effects.Apply(machine.Tick());
        }

        if (link is not null && clock.Now >= link.DueAt)
        {
            CheckInterface();
        }

        if (tracking.DueAt(config()) is { } trackAt && clock.Now >= trackAt)
        {
            CheckTracking();
        }

        if (effects.GarpDueAt is { } garpAt && clock.Now >= garpAt)
        {
            effects.AnnounceDue();
        }

        _rejects.Check(machine); // what a flood that stopped left unlogged
    }

    /// <summary>The virtual IPs' interface, up or down (keepalived's FAULT on its VRRP interface); nothing when unread.</summary>
    private void CheckInterface()
    {
        if (link?.Check(config().AdvertInterval) is { } up)
        {
            effects.Apply(machine.SetInterfaceUp(up, link.Device));
        }
    }

    private void CheckTracking()
    {
        foreach (var (group, healthy) in tracking.Check(config()))
        {
            effects.Apply(machine.SetTrackedHealth(group, healthy));
        }
    }
}

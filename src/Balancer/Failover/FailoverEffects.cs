using Balancer.Admin.Timeline;
using Balancer.Core.Configuration;
using Balancer.Core.Failover;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// Applies the machine's actions: adverts go out at once on the caller's thread, the virtual IPs, gratuitous ARP and
/// notify hooks go to the <see cref="FailoverWorker"/> in order, transitions and warnings go to the log. Each action goes
/// to its group's <see cref="GroupEffects"/> (#23), which also keeps the gratuitous ARP schedule that the loop fires.
/// </summary>
internal sealed class FailoverEffects(
    FailoverConfig config, AdvertSocket socket, FailoverWorker worker, Dictionary<string, GroupEffects> groups, CommandRunner runner, ElapsedClock clock, ILogger logger,
    EventTimeline? timeline)
{

    private FailoverConfig _config = config;

    /// <summary>A finished action whose log line waits for the one behind it (worker thread only).</summary>
    private (string Action, TimeSpan After)? _deferredDone;

    /// <summary>The process's total GC pause and collections when this node last sent an advert (loop thread only).</summary>
    private GcMark _gcAtLastAdvert;

    /// <summary>When some group's master announces its virtual IPs next, or null; read by the loop.</summary>
    public TimeSpan? GarpDueAt => groups.Values.Select(g => g.Garp.DueAt).Min();

    /// <summary>Stops every group's announcements: a late one of ours would pull neighbours back from the successor.</summary>
    public void StopGarp()
    {
        foreach (var group in groups.Values)
        {
            group.Garp.Stop();
        }
    }

    public void Apply(IReadOnlyList<FailoverAction> actions)
    {
        // The timeline hears of a transition after its adverts are sent and its address changes queued: a takeover's
        // critical path does not wait for formatting or the audit line.
        List<Action>? report = null;
        var gcAtPreviousAdvert = _gcAtLastAdvert; // a late advert's stall comes in the same batch as the advert itself
        foreach (var action in actions)
        {
            var effects = groups.GetValueOrDefault(action.Group) ?? groups.Values.First();
            var vips = effects.Vips;
            var label = effects.Label;
            switch (action)
            {
                case FailoverAction.SendAdvert advert:
                    socket.Send(advert.Datagram.Span);
                    _gcAtLastAdvert = GcMark.Now();
                    break;
                case FailoverAction.AddVips:
                    // Its log line waits until the first announcement queued right behind is out: the first use of a
                    // log message costs JIT and formatting, measured at 10-30 ms between the add and the ARP on a busy
                    // host, while clients still send to the dead master's MAC (docs/benchmarks.md, Failover).
                    worker.Enqueue(Timed(effects, vips.AddAsync, "added", logNow: _config.GarpRepeat == 0));
                    break;
                case FailoverAction.RemoveVips remove:
                    effects.Garp.Stop();
                    worker.Enqueue(remove.Held ? Timed(effects, vips.RemoveAsync, "removed") : RemoveStale(vips, remove.Entering));
                    break;
                case FailoverAction.SendGratuitousArp garp:
                    // The first announcement follows the add on the worker; the rest of the burst and the refreshes are
                    // timed by the loop. Only a takeover's is timed in the log: a re-announcement follows no transition.
                    if (_config.GarpRepeat > 0)
                    {
                        worker.Enqueue(garp.Takeover ? Timed(effects, () => Announce(vips), "announced") : () => Announce(vips));
                    }

                    effects.Garp.BurstSent(clock.Now);
                    break;
                case FailoverAction.RunNotifyHook hook:
                    var hooks = effects.Hooks;
                    worker.Enqueue(() => hooks.RunAsync(hook.State));
                    break;
                case FailoverAction.StateChanged changed:
                    effects.TransitionAt = clock.Now;
                    if (changed.To != FailoverState.Master)
                    {
                        effects.Garp.Stop();
                    }

                    Log.FailoverStateChanged(logger, changed.From, changed.To, changed.Event, groups.Count > 1 ? $"group {changed.Group}: {changed.Reason}" : changed.Reason);
                    Report(ref report, t => t.FailoverChanged(label, changed.From, changed.To, changed.Event, changed.Reason));
                    break;
                case FailoverAction.PriorityChanged priority:
                    Log.FailoverPriorityChanged(logger, priority.From, priority.To, priority.Healthy);
                    Report(ref report, t => t.Record(TimelineKind.Failover, "priority", label, priority.To.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        priority.Healthy ? $"priority {priority.From} → {priority.To}" : $"priority {priority.From} → {priority.To}: tracked pools sick", TimelineSeverity.Warning));
                    break;
                case FailoverAction.DualMasterDetected dual:
                    Log.FailoverDualMaster(logger, dual.PeerNodeId, dual.PeerPriority);
                    Report(ref report, t => t.Record(TimelineKind.Failover, "dual master", label, "re-announcing", $"heard master {dual.PeerNodeId} (priority {dual.PeerPriority}), which we outrank", TimelineSeverity.Error));
                    break;
                case FailoverAction.ConfigDriftChanged drift:
                    Log.FailoverConfigDrift(logger, drift.Drift, drift.PeerNodeId, drift.PeerHash);
                    Report(ref report, t => t.Record(TimelineKind.Failover, "config drift", label, drift.Drift ? "drift" : "in step", $"peer {drift.PeerNodeId} runs config hash {drift.PeerHash:x32}", drift.Drift ? TimelineSeverity.Warning : TimelineSeverity.Info));
                    break;
                case FailoverAction.AskWitness ask:
                    socket.SendToWitness(ask.Datagram.Span);
                    break;
                case FailoverAction.WitnessVerdict verdict:
                    Log.FailoverWitnessVerdict(logger, verdict.Text);
                    break;
                case FailoverAction.PathChanged path when path.Silent:
                    Log.FailoverPathSilent(logger, path.PeerNodeId ?? "peer", path.Address.ToString(), path.SilentFor.TotalMilliseconds, path.Working, path.Paths);
                    break;
                case FailoverAction.PathChanged path:
                    Log.FailoverPathRestored(logger, path.PeerNodeId ?? "peer", path.Address.ToString(), path.Working, path.Paths);
                    break;
                case FailoverAction.AdvertStall stall:
                    // For a late advert of ours, how much of the gap the runtime's GC suspended the process: tells a
                    // collection on a starved host from the loop thread itself waiting for a CPU.
                    var gc = stall.Sent ? GcMark.Now().Since(gcAtPreviousAdvert) : "";
                    Log.FailoverAdvertStall(logger, stall.Gap.TotalMilliseconds, stall.Sent ? "sent as master" : "heard as backup", stall.MasterDownInterval.TotalMilliseconds, stall.Sent ? " (plus its skew)" : "", gc);
                    break;
            }
        }

        report?.ForEach(r => r());
    }

    /// <summary>Queues one announcement of each group whose burst or refresh the schedule says is due.</summary>
    public void AnnounceDue()
    {
        var now = clock.Now;
        foreach (var group in groups.Values.Where(g => g.Garp.DueAt <= now))
        {
            var vips = group.Vips;
            worker.Enqueue(() => Announce(vips)); // behind any pending add: arping cannot send from an address not yet on the interface
            group.Garp.Sent(now);
        }
    }

    /// <summary>Takes a reload's hooks, gratuitous ARP timing and settings; a group for which <paramref name="master"/> says so keeps a running refresh going.</summary>
    public void Reconfigure(FailoverConfig next, Func<string, bool> master)
    {
        foreach (var group in next.EffectiveGroups)
        {
            if (!groups.TryGetValue(group.Name, out var effects))
            {
                continue; // CheckReload refuses a change of groups
            }

            effects.Hooks = new NotifyHooks(group.Notify, group.VirtualIps, runner, group.Name);
            if (next.GarpRepeat != _config.GarpRepeat || next.GarpRefresh != _config.GarpRefresh)
            {
                // Built whole, then published: the loop reads Garp from its own thread.
                var garp = new GarpSchedule(next.GarpRepeat, next.GarpRefresh);
                if (master(group.Name))
                {
                    garp.Resume(clock.Now);
                }

                effects.Garp = garp;
            }
        }

        _config = next;
    }

    private void Report(ref List<Action>? report, Action<EventTimeline> record)
    {
        if (timeline is { } t)
        {
            (report ??= []).Add(() => record(t));
        }
    }

    /// <summary>
    /// Logs, once done, how long after the transition just applied <paramref name="work"/> finished: the takeover's
    /// critical path. The transition's time is taken now, not when the worker gets to it.
    /// </summary>
    private Func<Task> Timed(GroupEffects group, Func<Task> work, string action, bool logNow = true)
    {
        var since = group.TransitionAt;
        return async () =>
        {
            await work();
            var after = clock.Now - since;
            if (!logNow)
            {
                _deferredDone = (action, after);
                return;
            }

            if (_deferredDone is var (earlierAction, earlierAfter))
            {
                _deferredDone = null;
                Log.FailoverVipsDone(logger, earlierAction, earlierAfter.TotalMilliseconds);
            }

            Log.FailoverVipsDone(logger, action, after.TotalMilliseconds);
        };
    }

    /// <summary>Removes what a node that is not master should not have, and says so when it found any.</summary>
    private Func<Task> RemoveStale(IVipActions vips, FailoverState entering) => async () =>
    {
        var removed = await vips.RemoveAsync();
        if (removed.Count > 0)
        {
            Log.FailoverStaleVipsRemoved(logger, string.Join(", ", removed), _config.Interface ?? "(no interface)", entering);
        }
    };

    /// <summary>Starts one round of gratuitous ARP without waiting: arping lingers a second for replies that never come.</summary>
    private Task Announce(IVipActions vips)
    {
        _ = vips.AnnounceAsync().ContinueWith(
            t => Log.FailoverCommandFailed(logger, "(gratuitous ARP)", t.Exception!.GetBaseException().Message),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return Task.CompletedTask;
    }
}

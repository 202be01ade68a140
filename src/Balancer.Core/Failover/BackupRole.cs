namespace Balancer.Core.Failover;

/// <summary>
/// What a group in BACKUP does (RFC 5798 §6.4.2): restart the Master_Down_Timer on each master advert, take over when
/// it runs out or after Skew_Time when the master resigns, and preempt a lower-priority master.
/// </summary>
internal sealed class BackupRole(FailoverGroup group)
{
    private string? _preempting; // the lower-priority master a pending preemption will replace
    private string? _resignedBy; // the master whose resign set the Master_Down_Timer to Skew_Time
    private GapTracker _heardGaps; // between the master's adverts taken in

    /// <summary>The longest time between two master adverts taken in, in one term as backup.</summary>
    public TimeSpan LongestGapHeard => _heardGaps.Longest;

    /// <summary>The group changed state: what this role remembered of the last term no longer holds.</summary>
    public void Reset()
    {
        _resignedBy = null;
        _heardGaps.Break();
    }

    /// <summary>Fires the Master_Down_Timer, or else the preempt delay, when due; false when neither was.</summary>
    public bool Tick()
    {
        var now = group.Now;
        if (group.Timers.MasterDownAt <= now && _resignedBy is null && group.Witness.Configured)
        {
            // Silence alone: a cut heartbeat link looks the same as a dead master. Ask the witness first (#23).
            group.Timers.MasterDownAt = null;
            group.Witness.Ask();
        }
        else if (group.Timers.MasterDownAt <= now)
        {
            group.ChangeState(FailoverState.Master, FailoverEvent.MasterDownTimerExpired, _resignedBy is { } resigned
                ? $"{resigned} resigned and Skew_Time {FailoverTimers.SkewTime(group.EffectivePriority, group.MasterAdvertInterval)} passed"
                : $"no master advert for {group.MasterDownInterval}");
        }
        else if (group.Timers.PreemptAt <= now)
        {
            var displaced = _preempting;
            group.ChangeState(FailoverState.Master, FailoverEvent.PreemptDelayExpired, $"preempting {displaced} after {group.Options.PreemptDelay}");
            group.ExpectResignFrom(displaced);
        }
        else
        {
            return false;
        }

        return true;
    }

    /// <summary>A master advert.</summary>
    public void OnAdvert(in AdvertPacket packet)
    {
        var now = group.Now;
        var timers = group.Timers;
        group.Witness.Reset(); // the master is heard: a question to the witness about it is moot
        if (packet.Priority == 0)
        {
            // RFC 5798 §6.4.2: the master resigns; take over after Skew_Time only.
            timers.MasterDownAt = now + FailoverTimers.SkewTime(group.EffectivePriority, group.MasterAdvertInterval);
            timers.PreemptAt = null;
            _resignedBy = packet.NodeId;
            return;
        }

        _resignedBy = null;
        if (_heardGaps.Saw(now) is { } gap && gap >= FailoverTimers.StallThreshold(group.MasterDownInterval))
        {
            group.Actions.Add(new FailoverAction.AdvertStall(Sent: false, gap, group.MasterDownInterval));
        }

        // RFC 5798 §6.4.2: learn Master_Adver_Interval, and with it Master_Down_Interval, from the advert.
        group.MasterAdvertInterval = packet.AdvertInterval;
        timers.MasterDownAt = now + group.MasterDownInterval;
        if (!group.Options.Preempt || packet.Priority >= group.EffectivePriority)
        {
            timers.PreemptAt = null;
            return;
        }

        if (!group.HeardBy(packet))
        {
            // The master has not heard us yet (we just started, or our interface just came back: a new session). Taking
            // over now would make two masters for as long as our adverts do not reach it — the chaos run saw 950 ms after
            // a link flap. Our advert of this session makes it answer at once (a new session), echoing it; preempt then.
            return;
        }

        // Preempt_Mode with a lower-priority master. RFC 5798 discards the advert and lets Master_Down_Timer run
        // out; we take over at once (or after PreemptDelay), which is quicker and leaves the old master's
        // adverts nothing to race against.
        _preempting = packet.NodeId;
        if (group.Options.PreemptDelay <= TimeSpan.Zero)
        {
            group.ChangeState(FailoverState.Master, FailoverEvent.LowerPriorityAdvert, $"preempting {packet.NodeId} (priority {packet.Priority})");
            group.ExpectResignFrom(packet.NodeId);
        }
        else
        {
            timers.PreemptAt ??= now + group.Options.PreemptDelay;
        }
    }
}

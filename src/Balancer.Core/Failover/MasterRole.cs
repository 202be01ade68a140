namespace Balancer.Core.Failover;

/// <summary>
/// What a group in MASTER does (RFC 5798 §6.4.3): advertise every interval, yield to a master that outranks it, settle
/// a dual master in its favour with a re-announcement, and hand over on shutdown.
/// </summary>
/// <remarks>
/// The hand-over: RFC 5798 has a master that shuts down resign and remove its addresses at once. Here it resigns but
/// keeps the virtual IPs, and so keeps serving, until its successor has advertised twice — by then the successor holds
/// the addresses and has announced them, so clients move without a gap — or until
/// <see cref="FailoverMachine.HandoverTimeout"/> when no peer takes over.
/// </remarks>
internal sealed class MasterRole(FailoverGroup group)
{
    private string? _awaitingResignFrom; // the master we displaced: its resign is expected, not a dual master
    private int _successorAdverts;       // counted while handing over
    private GapTracker _sentGaps;        // between our adverts
    private (string NodeId, TimeSpan LastHeard)? _incident; // the dual master we re-announced against, while it lasts

    public long DualMasterEvents { get; private set; }

    /// <summary>The longest time between two adverts sent in one term as master: late adverts show a stalled master.</summary>
    public TimeSpan LongestGapSent => _sentGaps.Longest;

    /// <summary>The group changed state: what this role remembered of the last term no longer holds.</summary>
    public void Reset()
    {
        _awaitingResignFrom = null;
        _incident = null;
        _sentGaps.Break();
    }

    /// <summary>The master just displaced <paramref name="nodeId"/>: its resign is expected, not a dual master.</summary>
    public void ExpectResignFrom(string? nodeId) => _awaitingResignFrom = nodeId;

    /// <summary>
    /// An advert of ours went out: counts towards <see cref="LongestGapSent"/>, and a late one is reported. The peer's
    /// Master_Down_Interval is at least 3 intervals (its skew is unknown here), so two intervals late is within a third of it.
    /// A master silent for that long (frozen: SIGSTOP, a GC on a starved host) may have been replaced meanwhile, and the
    /// successor's gratuitous ARP drew the clients to it: it re-announces at once, since behind a cut peer link it would
    /// not hear the successor's resign that otherwise tells it to (the witness settles who stays master).
    /// </summary>
    public void SentAdvert()
    {
        var peerMasterDown = 3 * group.Options.AdvertInterval;
        if (_sentGaps.Saw(group.Now) is { } gap && gap >= FailoverTimers.StallThreshold(peerMasterDown))
        {
            group.Actions.Add(new FailoverAction.AdvertStall(Sent: true, gap, peerMasterDown));
            if (gap >= peerMasterDown)
            {
                group.Actions.Add(new FailoverAction.SendGratuitousArp(Takeover: false));
            }
        }
    }

    /// <summary>Ends a hand-over that ran out of time, or sends the advert that is due.</summary>
    public void Tick()
    {
        var now = group.Now;
        var timers = group.Timers;
        if (timers.HandoverUntil <= now)
        {
            group.ChangeState(FailoverState.Init, FailoverEvent.Shutdown, $"no successor advertised within {FailoverMachine.HandoverTimeout(group.Options.AdvertInterval)}");
        }
        else if (timers.AdvertAt <= now)
        {
            // RFC 5798 §6.4.3: send an ADVERTISEMENT and reset the Adver_Timer.
            group.SendAdvert(group.EffectivePriority);
            timers.AdvertAt = now + group.Options.AdvertInterval;
        }
    }

    /// <summary>
    /// The shutdown event: the first call resigns (a priority-0 advert, so a backup takes over after Skew_Time) and
    /// stops advertising but keeps the virtual IPs; a second call leaves at once.
    /// </summary>
    public void Shutdown()
    {
        if (group.HandingOver)
        {
            group.ChangeState(FailoverState.Init, FailoverEvent.Shutdown, "shutting down without waiting for a successor");
            return;
        }

        group.SendAdvert(0);
        group.Timers.AdvertAt = group.Timers.PreemptAt = null;
        group.Timers.HandoverUntil = group.Now + FailoverMachine.HandoverTimeout(group.Options.AdvertInterval);
        _successorAdverts = 0;
    }

    /// <summary>A master advert.</summary>
    public void OnAdvert(in AdvertPacket packet)
    {
        if (group.HandingOver)
        {
            // Count the successor's adverts; another resign is no successor.
            if (packet.Priority > 0 && ++_successorAdverts >= 2)
            {
                group.ChangeState(FailoverState.Init, FailoverEvent.Shutdown, $"handed over to {packet.NodeId}");
            }
        }
        else if (packet.Priority == 0)
        {
            // RFC 5798 §6.4.3: another master resigned; send an advert at once. The master we preempted or outranked
            // resigns as expected: our takeover or re-announcement burst already covers the addresses. Any other
            // resign is a dual master we did not know of: it held the virtual IPs too, so re-announce them.
            var expected = string.Equals(packet.NodeId, _awaitingResignFrom, StringComparison.Ordinal);
            _awaitingResignFrom = null;
            _incident = null;
            if (expected)
            {
                group.SendAdvert(group.EffectivePriority);
                group.Timers.AdvertAt = group.Now + group.Options.AdvertInterval;
            }
            else
            {
                CountDualMaster(packet);
                Reannounce();
            }
        }
        else if (GroupPriority.Outranks(packet.Priority, packet.NodeId, group.EffectivePriority, group.Options.NodeId))
        {
            // Resign rather than fall silent, so that the winner hears of the dual master and re-announces.
            group.SendAdvert(0);
            group.MasterAdvertInterval = packet.AdvertInterval;
            group.ChangeState(FailoverState.Backup, FailoverEvent.HigherPriorityAdvert, $"{packet.NodeId} (priority {packet.Priority}) outranks us");
        }
        else if (string.Equals(packet.NodeId, _awaitingResignFrom, StringComparison.Ordinal) || OngoingIncident(packet.NodeId))
        {
            // The master we just displaced, still advertising until ours reaches it (adverts cross on the wire): it
            // resigns when it hears us. Not a new dual master; our takeover or re-announcement burst covers it.
        }
        else
        {
            // Two masters (a healed partition, a master resuming from SIGSTOP, both started together) and we win: keep
            // the role and re-announce, so that ARP caches pointing at the loser are corrected at once. The loser's
            // resign is then expected. Its adverts that follow (a resumed process reads a queue of them) are the same
            // incident: one event, one log line, one burst.
            _incident = (packet.NodeId, group.Now);
            CountDualMaster(packet);
            Reannounce();
            _awaitingResignFrom = packet.NodeId;
        }
    }

    /// <summary>
    /// True when <paramref name="nodeId"/>'s advert belongs to the dual-master incident already handled: the same master,
    /// heard again within a Master_Down_Interval of its last advert. Refreshes the incident.
    /// </summary>
    private bool OngoingIncident(string nodeId)
    {
        var now = group.Now;
        if (_incident is not var (incidentNode, lastHeard) || !string.Equals(incidentNode, nodeId, StringComparison.Ordinal)
            || now - lastHeard > group.MasterDownInterval)
        {
            return false;
        }

        _incident = (nodeId, now);
        return true;
    }

    private void CountDualMaster(in AdvertPacket packet)
    {
        DualMasterEvents++;
        group.Actions.Add(new FailoverAction.DualMasterDetected(packet.NodeId, packet.Priority));
    }

    private void Reannounce()
    {
        group.SendAdvert(group.EffectivePriority);
        group.Actions.Add(new FailoverAction.SendGratuitousArp(Takeover: false));
        group.Timers.AdvertAt = group.Now + group.Options.AdvertInterval;
    }
}

namespace Balancer.Core.Failover;

/// <summary>
/// What a group does with the witness (#23, corosync-qdevice's role for a pair): a backup whose Master_Down_Timer runs
/// out asks it before taking over, and stays backup when the witness still hears the master (the heartbeat link is cut,
/// not the master); a master that hears nothing from its peer for Master_Down_Interval asks it too, and with
/// <see cref="FailoverOptions.WitnessRequired"/> releases the virtual IPs when the witness does not answer either
/// (self-fence). Without an answer in <see cref="FailoverOptions.WitnessTimeout"/> a backup takes over unless the
/// witness is required: keepalived's availability-first behaviour for an address that clients cannot reach otherwise.
/// </summary>
/// <remarks>
/// The query and its deadline are values (the nonce, <see cref="VrrpTimers.WitnessUntil"/>): an answer that comes after
/// the deadline, twice, or to an older query finds no pending nonce and changes nothing; a state change clears both.
/// </remarks>
internal sealed class WitnessRole(FailoverGroup group, AdvertWriter writer)
{
    private (ulong Epoch, ulong Sequence)? _pending; // the nonce of the query awaiting its answer
    private bool _said;       // the verdict of this episode of silence is logged once

    public bool Configured => group.Options.WitnessAddress is not null;

    public long Asked { get; private set; }

    public long Answered { get; private set; }

    public long TimedOut { get; private set; }

    /// <summary>Answers refused: forged, malformed, or naming no query of ours that is pending (late, twice, replayed).</summary>
    public long Refused { get; private set; }

    /// <summary>True after an answer, false after a timeout, null before either.</summary>
    public bool? Reachable { get; private set; }

    public DateTimeOffset? LastAnswerAt { get; private set; }

    public WitnessMessage? LastAnswer { get; private set; }

    /// <summary>
    /// True when the witness vouches for a master this node no longer hears: it heard another node as master within
    /// <paramref name="masterDownInterval"/> (alive to the witness), and at least half an advert interval after this node
    /// last did. A master killed outright was last heard by both at about the same time, so the second test excludes
    /// it; a cut heartbeat link leaves the witness hearing it every interval; and a master that dies while the link is
    /// cut is silent to the witness too after Master_Down_Interval, so the first test lets the backup take over then.
    /// </summary>
    public static bool VouchesForMaster(in WitnessMessage answer, string ownNodeId, TimeSpan ourSilence, TimeSpan advertInterval, TimeSpan masterDownInterval) =>
        answer.NodeId.Length > 0 && !string.Equals(answer.NodeId, ownNodeId, StringComparison.Ordinal)
        && answer.HeardAgo < masterDownInterval && answer.HeardAgo + (advertInterval / 2) < ourSilence;

    /// <summary>A datagram framed as a witness message that is not an authentic answer from the witness's address.</summary>
    public void RefuseForged() => Refused++;

    /// <summary>The group changed state, or heard its peer: what was asked is moot and the next silence is a new episode.</summary>
    public void Reset()
    {
        _pending = null;
        _said = false;
        group.Timers.WitnessUntil = null;
    }

    /// <summary>Sends a query and starts its deadline.</summary>
    public void Ask()
    {
        var epoch = writer.Epoch; // the query's, even if a new session begins before the answer comes
        var (datagram, nonce) = writer.WriteWitnessQuery(group.Options.NodeId, group.Name);
        _pending = (epoch, nonce);
        Asked++;
        group.Actions.Add(new FailoverAction.AskWitness(datagram));
        group.Timers.WitnessUntil = group.Now + group.Options.WitnessTimeout;
    }

    /// <summary>An authentic answer; taken only when it answers the query pending now.</summary>
    public void OnAnswer(in WitnessMessage answer, DateTimeOffset utcNow)
    {
        if (_pending is not { } nonce || answer.NonceSequence != nonce.Sequence || answer.NonceEpoch != nonce.Epoch)
        {
            Refused++;
            return;
        }

        (_pending, group.Timers.WitnessUntil) = (null, null);
        (Answered, Reachable, LastAnswerAt, LastAnswer) = (Answered + 1, true, utcNow, answer);
        var silence = group.Now - group.LastPeerHeard;
        var heard = answer.NodeId.Length > 0 ? $"last heard {answer.NodeId} as master {answer.HeardAgo.TotalMilliseconds:0} ms ago" : "hears no master";
        if (group.State == FailoverState.Backup)
        {
            if (VouchesForMaster(answer, group.Options.NodeId, silence, group.MasterAdvertInterval, group.MasterDownInterval))
            {
                Say($"heartbeat lost, master alive per witness: no advert for {silence.TotalMilliseconds:0} ms but the witness {heard}; staying backup");

                // Ask again when the master would be silent to the witness too, and not sooner than an interval.
                var again = group.MasterDownInterval - answer.HeardAgo;
                group.Timers.MasterDownAt = group.Now + (again > group.MasterAdvertInterval ? again : group.MasterAdvertInterval);
            }
            else
            {
                group.ChangeState(FailoverState.Master, FailoverEvent.MasterDownTimerExpired, $"no master advert for {silence.TotalMilliseconds:0} ms and the witness {heard}");
            }
        }
        else if (group.State == FailoverState.Master && NamesLiveMaster(answer, group.Options.NodeId, group.MasterDownInterval))
        {
            // Two masters behind a cut link (one took over while the other was frozen past Master_Down_Interval): the
            // witness hears the adverts the link no longer carries, and the rule of RFC 5798 §6.4.3 settles it.
            if (GroupPriority.Outranks(answer.Priority, answer.NodeId, group.EffectivePriority, group.Options.NodeId))
            {
                group.SendAdvert(0); // the witness hears the resign: it names the other alone at once
                group.ChangeState(FailoverState.Backup, FailoverEvent.OutrankedPerWitness,
                    $"peer silent for {silence.TotalMilliseconds:0} ms, but the witness {heard} (priority {answer.Priority}), which outranks us: two masters, yielding");
            }
            else
            {
                group.OnRivalPerWitness(answer.NodeId, answer.Priority); // we win: re-announce, as for its advert
                group.Timers.WitnessAskAt = group.Now + group.MasterDownInterval;
            }
        }
        else if (group.State == FailoverState.Master)
        {
            // The witness names the best master other than the asker: none, for a master, means it is the only one.
            var other = answer.NodeId.Length > 0 ? heard : "hears no other master";
            Say($"peer silent for {silence.TotalMilliseconds:0} ms, but the witness answers (it {other}): keeping the virtual IPs");
            group.Timers.WitnessAskAt = group.Now + group.MasterDownInterval;
        }
    }

    /// <summary>True when the witness names another node that it heard as master within <paramref name="masterDownInterval"/>.</summary>
    public static bool NamesLiveMaster(in WitnessMessage answer, string ownNodeId, TimeSpan masterDownInterval) =>
        answer.NodeId.Length > 0 && !string.Equals(answer.NodeId, ownNodeId, StringComparison.Ordinal) && answer.HeardAgo < masterDownInterval;

    /// <summary>No answer within the timeout: per <see cref="FailoverOptions.WitnessRequired"/>.</summary>
    public void OnTimeout()
    {
        (_pending, group.Timers.WitnessUntil) = (null, null);
        (TimedOut, Reachable) = (TimedOut + 1, false);
        var silence = (group.Now - group.LastPeerHeard).TotalMilliseconds;
        var timeout = group.Options.WitnessTimeout.TotalMilliseconds;
        if (group.State == FailoverState.Backup && !group.Options.WitnessRequired)
        {
            group.ChangeState(FailoverState.Master, FailoverEvent.MasterDownTimerExpired,
                $"no master advert for {silence:0} ms and no answer from the witness within {timeout:0} ms: taking over as plain VRRP would (witness.required is false)");
        }
        else if (group.State == FailoverState.Backup)
        {
            Say($"no master advert for {silence:0} ms and no answer from the witness within {timeout:0} ms: staying backup (witness.required); asking again every advert interval");
            group.Timers.MasterDownAt = group.Now + group.MasterAdvertInterval;
        }
        else if (group.State == FailoverState.Master && group.Options.WitnessRequired)
        {
            group.SendAdvert(0); // should the peer hear it after all, it takes over after Skew_Time
            group.ChangeState(FailoverState.Backup, FailoverEvent.Isolated,
                $"neither the peer (silent {silence:0} ms) nor the witness (no answer within {timeout:0} ms) is reachable: releasing the virtual IPs (witness.required: self-fence)");
        }
        else if (group.State == FailoverState.Master)
        {
            Say($"neither the peer (silent {silence:0} ms) nor the witness (no answer within {timeout:0} ms) is reachable: keeping the virtual IPs, clients may reach only this node (witness.required is false)");
            group.Timers.WitnessAskAt = group.Now + group.MasterDownInterval;
        }
    }

    private void Say(string verdict)
    {
        if (!_said)
        {
            _said = true;
            group.Actions.Add(new FailoverAction.WitnessVerdict(verdict));
        }
    }
}

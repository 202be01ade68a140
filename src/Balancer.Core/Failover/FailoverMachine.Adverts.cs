using System.Net;

namespace Balancer.Core.Failover;

/// <summary>Receiving adverts: authentication, replay and peer checks, then RFC 5798 §6.4.2/§6.4.3.</summary>
public sealed partial class FailoverMachine
{
    /// <summary>
    /// Feeds one received datagram. Forged, malformed, replayed or foreign datagrams are counted by reason and
    /// change nothing else.
    /// </summary>
    public IReadOnlyList<FailoverAction> OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        // Decoded outside Run's lambda, which cannot capture a span; the codec touches no machine state.
        var decoded = AdvertCodec.TryDecode(datagram, _key, out var packet, out var error);
        return Run(() =>
        {
            if (!decoded)
            {
                _decodeRejects[(int)error]++;
                return;
            }

            var check = _guard.Admit(packet, source);
            if (check != PeerCheck.Accepted)
            {
                _peerRejects[(int)check]++;
                return;
            }

            _lastAdvert = (packet.NodeId, _time.GetUtcNow());
            TrackConfigDrift(packet);
            // Only a master advertises (RFC 5798 §6.4.3); adverts in other states are for /status only.
            if (packet.State != FailoverState.Master)
            {
                return;
            }

            if (_handoverUntil is not null)
            {
                OnAdvertWhileHandingOver(packet);
            }
            else if (State == FailoverState.Backup)
            {
                OnAdvertAsBackup(packet);
            }
            else if (State == FailoverState.Master)
            {
                OnAdvertAsMaster(packet);
            }
        });
    }

    private void OnAdvertAsBackup(in AdvertPacket packet)
    {
        var now = Now;
        if (packet.Priority == 0)
        {
            // RFC 5798 §6.4.2: the master resigns; take over after Skew_Time only.
            _masterDownAt = now + FailoverTimers.SkewTime(EffectivePriority, _masterAdvertInterval);
            _preemptAt = null;
            _resignedBy = packet.NodeId;
            return;
        }

        _resignedBy = null;
        _heardGaps.Saw(now);

        // RFC 5798 §6.4.2: learn Master_Adver_Interval, and with it Master_Down_Interval, from the advert.
        _masterAdvertInterval = packet.AdvertInterval;
        _masterDownAt = now + MasterDownInterval;
        if (!_options.Preempt || packet.Priority >= EffectivePriority)
        {
            _preemptAt = null;
            return;
        }

        // Preempt_Mode with a lower-priority master. RFC 5798 discards the advert and lets Master_Down_Timer run
        // out; we take over at once (or after PreemptDelay), which is quicker and leaves the old master's
        // adverts nothing to race against.
        _preempting = packet.NodeId;
        if (_options.PreemptDelay <= TimeSpan.Zero)
        {
            ChangeState(FailoverState.Master, FailoverEvent.LowerPriorityAdvert, $"preempting {packet.NodeId} (priority {packet.Priority})");
            _awaitingResignFrom = packet.NodeId;
        }
        else
        {
            _preemptAt ??= now + _options.PreemptDelay;
        }
    }

    private void OnAdvertAsMaster(in AdvertPacket packet)
    {
        if (packet.Priority == 0)
        {
            // RFC 5798 §6.4.3: another master resigned; send an advert at once. The resigner held the virtual IPs
            // too, so re-announce them. Unless it is the master we preempted or outranked, this was a dual master.
            if (!string.Equals(packet.NodeId, _awaitingResignFrom, StringComparison.Ordinal))
            {
                CountDualMaster(packet);
            }

            _awaitingResignFrom = null;
            Reannounce();
            return;
        }

        if (Outranks(packet.Priority, packet.NodeId, EffectivePriority, _options.NodeId))
        {
            // Resign rather than fall silent, so that the winner hears of the dual master and re-announces.
            SendAdvert(0);
            _masterAdvertInterval = packet.AdvertInterval;
            ChangeState(FailoverState.Backup, FailoverEvent.HigherPriorityAdvert, $"{packet.NodeId} (priority {packet.Priority}) outranks us");
            return;
        }

        // Two masters (a healed partition, or both started together) and we win: keep the role and re-announce,
        // so that ARP caches pointing at the loser are corrected at once. The loser's resign is then expected.
        CountDualMaster(packet);
        Reannounce();
        _awaitingResignFrom = packet.NodeId;
    }

    private void CountDualMaster(in AdvertPacket packet)
    {
        _dualMasterEvents++;
        _actions.Add(new FailoverAction.DualMasterDetected(packet.NodeId, packet.Priority));
    }

    private void Reannounce()
    {
        SendAdvert(EffectivePriority);
        _actions.Add(new FailoverAction.SendGratuitousArp());
        _advertAt = Now + _options.AdvertInterval;
    }

    private void TrackConfigDrift(in AdvertPacket packet)
    {
        var wasDrift = _peerConfigHash is { } before && before != _options.ConfigHash;
        var changed = _peerConfigHash != packet.ConfigHash;
        _peerConfigHash = packet.ConfigHash;
        var isDrift = packet.ConfigHash != _options.ConfigHash;
        if (isDrift != wasDrift || (isDrift && changed))
        {
            _actions.Add(new FailoverAction.ConfigDriftChanged(isDrift, packet.NodeId, packet.ConfigHash));
        }
    }
}

namespace Balancer.Core.Failover;

/// <summary>The single transition function and the entry actions of each state.</summary>
public sealed partial class FailoverMachine
{
    private TimeSpan MasterDownInterval => FailoverTimers.MasterDownInterval(EffectivePriority, _masterAdvertInterval);

    /// <summary>
    /// Deterministic tie-break for equal priorities: the greater node id (ordinal) wins, as RFC 5798 §6.4.3
    /// lets the greater primary IP address win.
    /// </summary>
    internal static bool Outranks(int priority, string nodeId, int otherPriority, string otherNodeId) =>
        priority != otherPriority ? priority > otherPriority : string.CompareOrdinal(nodeId, otherNodeId) > 0;

    /// <summary>Records the transition once, cancels the old state's timers and queues the new state's entry actions.</summary>
    private void ChangeState(FailoverState next, FailoverEvent @event, string reason)
    {
        var previous = State;
        State = next;
        _transitions++;
        _actions.Add(new FailoverAction.StateChanged(previous, next, @event, reason));
        _masterDownAt = _advertAt = _preemptAt = _handoverUntil = null;
        _awaitingResignFrom = _resignedBy = null;
        _sentGaps.Break();
        _heardGaps.Break();
        switch (next)
        {
            case FailoverState.Master:
                // RFC 5798 §6.4.1/§6.4.2: send an ADVERTISEMENT, announce the addresses, start the Adver_Timer.
                _masterAdvertInterval = _options.AdvertInterval;
                SendAdvert(EffectivePriority);
                _actions.Add(new FailoverAction.AddVips());
                _actions.Add(new FailoverAction.SendGratuitousArp());
                _advertAt = Now + _options.AdvertInterval;
                break;
            case FailoverState.Backup:
                // RFC 5798 §6.4.1/§6.4.3: set the Master_Down_Timer to Master_Down_Interval.
                _masterDownAt = Now + MasterDownInterval;
                break;
        }

        if (previous == FailoverState.Master)
        {
            _actions.Add(new FailoverAction.RemoveVips());
        }

        _actions.Add(new FailoverAction.RunNotifyHook(next));
    }

    private void SendAdvert(int priority)
    {
        if (State == FailoverState.Master && priority > 0)
        {
            _sentGaps.Saw(Now);
        }

        var packet = new AdvertPacket(_options.NodeId, State, (byte)priority, _options.AdvertInterval, _epoch, ++_sequence, _options.ConfigHash);
        var buffer = new byte[AdvertCodec.MaxLength];
        var length = AdvertCodec.Encode(packet, _key, buffer);
        _actions.Add(new FailoverAction.SendAdvert(packet, buffer.AsMemory(0, length)));
    }
}

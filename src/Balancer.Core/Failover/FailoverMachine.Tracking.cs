namespace Balancer.Core.Failover;

/// <summary>Health tracking: a sick node lowers its priority (keepalived's track weight) or steps out to FAULT.</summary>
public sealed partial class FailoverMachine
{
    /// <summary>
    /// Reports the tracked health (e.g. "a pool has a healthy backend"). Unhealthy lowers the effective priority by
    /// the track weight, and a master advertises it at once so a preempting peer takes over; or, with
    /// <see cref="FailoverOptions.FaultOnTrackFailure"/>, goes to FAULT. Healthy again restores it.
    /// </summary>
    public IReadOnlyList<FailoverAction> SetTrackedHealth(bool healthy) => Run(() =>
    {
        if (healthy == _healthy || _handoverUntil is not null) // a node handing over is leaving: no advert may undo its resign
        {
            return;
        }

        var before = EffectivePriority;
        _healthy = healthy;
        if (_options.FaultOnTrackFailure)
        {
            ApplyFaultTracking(healthy);
            return;
        }

        _actions.Add(new FailoverAction.PriorityChanged(before, EffectivePriority, healthy));
        if (State == FailoverState.Master)
        {
            SendAdvert(EffectivePriority);
            _advertAt = Now + _options.AdvertInterval;
        }
    });

    private void ApplyFaultTracking(bool healthy)
    {
        if (!healthy && State is FailoverState.Backup or FailoverState.Master)
        {
            if (State == FailoverState.Master)
            {
                SendAdvert(0); // resign, so the peer takes over after Skew_Time rather than Master_Down_Interval
            }

            ChangeState(FailoverState.Fault, FailoverEvent.TrackFailed, "tracked health is bad");
        }
        else if (healthy && State == FailoverState.Fault)
        {
            ChangeState(FailoverState.Backup, FailoverEvent.TrackRecovered, "tracked health recovered");
        }
    }
}

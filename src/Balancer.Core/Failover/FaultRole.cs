namespace Balancer.Core.Failover;

/// <summary>
/// What takes a group to FAULT and back, and what its tracked health does to its priority: the interface its virtual
/// IPs live on (keepalived tracks its VRRP interface) and the tracked health (keepalived's track weight, or FAULT with
/// <see cref="FailoverOptions.FaultOnTrackFailure"/>).
/// </summary>
internal sealed class FaultRole(FailoverGroup group, GroupPriority priority)
{
    private string _device = ""; // the interface last reported, for the log

    /// <summary>The last value given to <see cref="SetInterfaceUp"/>; true until told otherwise.</summary>
    public bool InterfaceUp { get; private set; } = true;

    /// <summary>Whether FAULT is where the group belongs now: its interface is down, or its tracked health is bad and so configured.</summary>
    private bool Faulty => !InterfaceUp || (!group.Healthy && group.Options.FaultOnTrackFailure);

    /// <summary>
    /// Health tracking (keepalived's track weight): unhealthy lowers the effective priority and a master advertises it
    /// at once so a preempting peer takes over; or, with <see cref="FailoverOptions.FaultOnTrackFailure"/>, the node
    /// steps out to FAULT (a master resigning first) until its health returns.
    /// </summary>
    public void SetTrackedHealth(bool healthy)
    {
        if (healthy == group.Healthy || group.HandingOver) // a node handing over is leaving: no advert may undo its resign
        {
            return;
        }

        var changed = priority.SetHealthy(healthy);
        if (!group.Options.FaultOnTrackFailure)
        {
            group.AnnouncePriority(changed);
        }
        else if (!healthy)
        {
            EnterFault(FailoverEvent.TrackFailed, "tracked health is bad");
        }
        else if (group.State == FailoverState.Fault && !Faulty)
        {
            group.ChangeState(FailoverState.Backup, FailoverEvent.TrackRecovered, "tracked health recovered");
        }
    }

    /// <summary>
    /// The state of the interface the virtual IPs live on (keepalived tracks its VRRP interface). Down: a backup goes to
    /// FAULT at once and so never takes the addresses over on a link that reaches nobody (when the link came back, its
    /// gratuitous ARP pulled the clients away from the real master just before it stepped down). A master keeps them
    /// while a backup cannot yet have taken over (3 advert intervals, the least Master_Down_Interval), so that a short
    /// flap moves nothing; a longer one sends it to FAULT then, removing them, so that it is not a second holder when the
    /// link comes back. Up again: BACKUP, which takes over only after Master_Down_Interval without hearing a master.
    /// </summary>
    public void SetInterfaceUp(bool up, string device)
    {
        if (up == InterfaceUp)
        {
            return;
        }

        InterfaceUp = up;
        _device = device;
        if (group.HandingOver)
        {
            return; // a node handing over is leaving: no advert may undo its resign
        }

        if (up)
        {
            group.Timers.InterfaceFaultAt = null;
            if (group.State == FailoverState.Fault && !Faulty)
            {
                group.ChangeState(FailoverState.Backup, FailoverEvent.InterfaceUp, $"interface {device} is up");
            }
        }
        else if (group.State == FailoverState.Master)
        {
            group.Timers.InterfaceFaultAt = group.Now + FailoverTimers.MinimumMasterDownInterval(group.Options.AdvertInterval);
        }
        else
        {
            EnterFault(FailoverEvent.InterfaceDown, $"interface {device} is down");
        }
    }

    private void EnterFault(FailoverEvent @event, string reason)
    {
        if (group.State is not (FailoverState.Backup or FailoverState.Master))
        {
            return;
        }

        if (group.State == FailoverState.Master)
        {
            group.SendAdvert(0); // resign, so the peer takes over after Skew_Time rather than Master_Down_Interval
        }

        group.ChangeState(FailoverState.Fault, @event, reason);
    }

    /// <summary>A master's interface has been down for 3 advert intervals (<see cref="VrrpTimers.InterfaceFaultAt"/>).</summary>
    public void InterfaceFaultDue()
    {
        group.Timers.InterfaceFaultAt = null;
        EnterFault(FailoverEvent.InterfaceDown,
            $"interface {_device} down for {FailoverTimers.MinimumMasterDownInterval(group.Options.AdvertInterval).TotalMilliseconds:0} ms: a backup takes over by now");
    }
}

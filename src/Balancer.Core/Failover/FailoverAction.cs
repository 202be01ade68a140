namespace Balancer.Core.Failover;

/// <summary>
/// Something the executable must do because the <see cref="FailoverMachine"/> decided it; the machine does no I/O.
/// Apply the actions of one call in order.
/// </summary>
public abstract record FailoverAction
{
    /// <summary>Send <see cref="Datagram"/> (already encoded and MACed) to every peer.</summary>
    public sealed record SendAdvert(AdvertPacket Packet, ReadOnlyMemory<byte> Datagram) : FailoverAction;

    /// <summary>Add the virtual IPs to the interface.</summary>
    public sealed record AddVips : FailoverAction;

    /// <summary>Remove the virtual IPs from the interface.</summary>
    public sealed record RemoveVips : FailoverAction;

    /// <summary>Announce the virtual IPs with gratuitous ARP (IPv6: unsolicited neighbour advertisements), RFC 5798 §6.4.1.</summary>
    public sealed record SendGratuitousArp : FailoverAction;

    /// <summary>Run the notify hook for the state just entered.</summary>
    public sealed record RunNotifyHook(FailoverState State) : FailoverAction;

    /// <summary>Log a transition; emitted once per transition, first among its actions.</summary>
    public sealed record StateChanged(FailoverState From, FailoverState To, FailoverEvent Event, string Reason) : FailoverAction;

    /// <summary>Log a change of effective priority caused by the tracked health.</summary>
    public sealed record PriorityChanged(int From, int To, bool Healthy) : FailoverAction;

    /// <summary>Log that this master heard another master it outranks (split brain healing); it re-announces.</summary>
    public sealed record DualMasterDetected(string PeerNodeId, byte PeerPriority) : FailoverAction;

    /// <summary>Log, once per change, that the peer's config hash now differs from ours (or matches again).</summary>
    public sealed record ConfigDriftChanged(bool Drift, string PeerNodeId, UInt128 PeerHash) : FailoverAction;
}

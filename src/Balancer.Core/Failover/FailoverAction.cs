namespace Balancer.Core.Failover;

/// <summary>
/// Something the executable must do because the <see cref="FailoverMachine"/> decided it; the machine does no I/O.
/// Apply the actions of one call in order.
/// </summary>
public abstract record FailoverAction
{
    /// <summary>The group of virtual IPs the action is for (#23); <c>default</c> in the single-group form and for node-wide actions.</summary>
    public string Group { get; init; } = AdvertPacket.DefaultGroup;

    /// <summary>Send <see cref="Datagram"/> (already encoded and MACed) to every peer.</summary>
    public sealed record SendAdvert(AdvertPacket Packet, ReadOnlyMemory<byte> Datagram) : FailoverAction;

    /// <summary>Add the virtual IPs to the interface.</summary>
    public sealed record AddVips : FailoverAction;

    /// <summary>
    /// Remove every configured virtual IP still on the interface, on entering <paramref name="Entering"/>.
    /// <paramref name="Held"/>: this node held them as master; false when it did not believe it held any, so whatever is
    /// found is stale (a crash left it, or someone added it by hand) and removing it is worth a warning.
    /// </summary>
    public sealed record RemoveVips(FailoverState Entering, bool Held) : FailoverAction;

    /// <summary>
    /// Announce the virtual IPs with a burst of gratuitous ARP (IPv6: unsolicited neighbour advertisements), RFC 5798
    /// §6.4.1. <paramref name="Takeover"/>: the burst that follows adding them; false for a re-announcement.
    /// </summary>
    public sealed record SendGratuitousArp(bool Takeover) : FailoverAction;

    /// <summary>Run the notify hook for the state just entered.</summary>
    public sealed record RunNotifyHook(FailoverState State) : FailoverAction;

    /// <summary>Log a transition; emitted once per transition, first among its actions.</summary>
    public sealed record StateChanged(FailoverState From, FailoverState To, FailoverEvent Event, string Reason) : FailoverAction;

    /// <summary>Log a change of effective priority caused by the tracked health.</summary>
    public sealed record PriorityChanged(int From, int To, bool Healthy) : FailoverAction;

    /// <summary>Log that this master heard another master it outranks (split brain healing); it re-announces. Once per incident.</summary>
    public sealed record DualMasterDetected(string PeerNodeId, byte PeerPriority) : FailoverAction;

    /// <summary>
    /// Log that two adverts came <paramref name="Gap"/> apart, within a third of <paramref name="MasterDownInterval"/> of
    /// a failover (or beyond it): <paramref name="Sent"/> by this master, or else heard by this backup.
    /// </summary>
    public sealed record AdvertStall(bool Sent, TimeSpan Gap, TimeSpan MasterDownInterval) : FailoverAction;

    /// <summary>Log, once per change, that the peer's config hash now differs from ours (or matches again).</summary>
    public sealed record ConfigDriftChanged(bool Drift, string PeerNodeId, UInt128 PeerHash) : FailoverAction;

    /// <summary>
    /// Log that heartbeat path <paramref name="Address"/> to peer <paramref name="PeerNodeId"/> fell silent (for
    /// <paramref name="SilentFor"/> so far) while another still brings adverts, or works again; <paramref name="Working"/>
    /// of <paramref name="Paths"/> paths work now. Once per change; never a failover.
    /// </summary>
    public sealed record PathChanged(string? PeerNodeId, System.Net.IPAddress Address, bool Silent, TimeSpan SilentFor, int Working, int Paths) : FailoverAction;

    /// <summary>Send <paramref name="Datagram"/>, a signed query, to the witness (#23).</summary>
    public sealed record AskWitness(ReadOnlyMemory<byte> Datagram) : FailoverAction;

    /// <summary>Log what the witness's answer, or its silence, decided when it changed nothing: once per episode of silence.</summary>
    public sealed record WitnessVerdict(string Text) : FailoverAction;
}

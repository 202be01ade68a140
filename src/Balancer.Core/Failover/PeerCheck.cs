namespace Balancer.Core.Failover;

/// <summary>What <see cref="PeerReplayGuard"/> says of an authentic advert.</summary>
public enum PeerCheck
{
    /// <summary>From a configured peer and newer than anything accepted from it before.</summary>
    Accepted,

    /// <summary>The source address, or the node id, is not a configured peer.</summary>
    UnknownPeer,

    /// <summary>Carries this node's own id: a loop or a misconfigured twin.</summary>
    OwnNodeId,

    /// <summary>(epoch, sequence) is not newer than the last accepted from this node id.</summary>
    Replayed,

    /// <summary>
    /// Authentic and newer, but not shown fresh: its session has not echoed this node's epoch and its send time is
    /// further than <c>maxClockSkew</c> from our clock. A recording made before this node started, or a peer that has
    /// not heard us yet while the clocks disagree.
    /// </summary>
    Unproven,

    /// <summary>
    /// The advert just taken, again, from another address of the same peer: it sends each advert on every heartbeat
    /// path. Not a rejection (never counted as one) and not fed to the state machine a second time.
    /// </summary>
    OtherPath,

    /// <summary>
    /// Authentic, from a peer, for a group this node does not run (#23): the two nodes' <c>failover.groups</c> differ.
    /// Counted and logged; the advert drives nothing.
    /// </summary>
    UnknownGroup,
}

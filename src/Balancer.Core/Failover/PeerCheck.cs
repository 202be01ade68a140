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
}

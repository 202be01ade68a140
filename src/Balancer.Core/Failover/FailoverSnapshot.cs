namespace Balancer.Core.Failover;

/// <summary>An immutable view of a <see cref="FailoverMachine"/> for <c>/status</c> and metrics.</summary>
/// <param name="State">The current state.</param>
/// <param name="EffectivePriority">The priority advertised now, after tracking.</param>
/// <param name="TrackedHealthy">The last value given to <see cref="FailoverMachine.SetTrackedHealth"/>.</param>
/// <param name="LastAdvertFrom">Node id of the last accepted advert, or null.</param>
/// <param name="LastAdvertAt">When the last advert was accepted, or null.</param>
/// <param name="PeerState">The state the peer's last accepted advert carried, or null.</param>
/// <param name="PeerPriority">The priority the peer's last accepted advert carried (0: it resigned), or null.</param>
/// <param name="Transitions">State changes since the machine was made.</param>
/// <param name="DualMasterEvents">Times this master heard a master it outranks.</param>
/// <param name="RejectedPackets">Rejected datagrams by reason (<see cref="DecodeError"/> or <see cref="PeerCheck"/> name); only non-zero counts.</param>
/// <param name="ConfigDrift">True when the last accepted advert carried a config hash different from ours.</param>
/// <param name="PeerConfigHash">The config hash of the last accepted advert, or null.</param>
/// <param name="LongestAdvertGapSent">The longest time between two adverts this node sent in one term as master: late adverts show a stalled master.</param>
/// <param name="LongestAdvertGapHeard">The longest time between two master adverts this node took in while backup: what its Master_Down_Timer saw.</param>
/// <param name="SigningKeyId">The key id this node signs with: the first key of <c>keyFile</c>.</param>
/// <param name="KeyIds">The key ids this node verifies with, in file order.</param>
/// <param name="PeerKeyId">The key id the peer's last accepted advert was signed with, or null.</param>
/// <param name="AdvertsSent">Adverts this node has sent.</param>
/// <param name="AdvertsAccepted">Adverts accepted from the peer.</param>
/// <param name="PeerSequence">The sequence number of the peer's last accepted advert (it counts every advert the peer sent in its session), or null.</param>
/// <param name="RejectedLastFrom">The source address of the last datagram rejected for each reason in <paramref name="RejectedPackets"/>.</param>
/// <param name="PeerProtocolVersion">The protocol version of the last advert rejected for speaking another one, or null.</param>
/// <param name="Witness">The witness's part, or null when none is configured.</param>
/// <param name="Paths">Each heartbeat path to each peer: when it last brought an advert, and whether it is silent while another works.</param>
/// <param name="Groups">Each group of virtual IPs (#23); the fields above that speak of one state are the first group's.</param>
public sealed record FailoverSnapshot(
    FailoverState State,
    int EffectivePriority,
    bool TrackedHealthy,
    string? LastAdvertFrom,
    DateTimeOffset? LastAdvertAt,
    FailoverState? PeerState,
    int? PeerPriority,
    long Transitions,
    long DualMasterEvents,
    IReadOnlyDictionary<string, long> RejectedPackets,
    bool ConfigDrift,
    UInt128? PeerConfigHash,
    TimeSpan LongestAdvertGapSent,
    TimeSpan LongestAdvertGapHeard,
    uint SigningKeyId,
    IReadOnlyList<uint> KeyIds,
    uint? PeerKeyId,
    long AdvertsSent,
    long AdvertsAccepted,
    ulong? PeerSequence,
    IReadOnlyDictionary<string, string> RejectedLastFrom,
    int? PeerProtocolVersion,
    IReadOnlyList<HeartbeatPathStatus> Paths,
    WitnessStatus? Witness,
    IReadOnlyList<GroupStatus> Groups)
{
    /// <summary>The line of this node's key file holding the key the peer signs with (1 or 2); null when unknown or not held.</summary>
    public int? PeerKeySlot
    {
        get
        {
            for (var i = 0; i < KeyIds.Count; i++)
            {
                if (KeyIds[i] == PeerKeyId)
                {
                    return i + 1;
                }
            }

            return null;
        }
    }
}

/// <summary>The witness as this node sees it (#23), for <c>/status</c> and metrics.</summary>
/// <param name="Address">Its configured address.</param>
/// <param name="Required">Whether a takeover (and keeping the virtual IPs when isolated) needs its answer.</param>
/// <param name="Reachable">True after an answer, false after a timeout, null before either.</param>
/// <param name="LastAnswerAt">When it last answered, or null.</param>
/// <param name="LastAnswerMaster">The master its last answer named, or null when it named none.</param>
/// <param name="LastAnswerHeardAgo">How long before that answer it had heard that master.</param>
/// <param name="Asked">Queries sent.</param>
/// <param name="Answered">Answers taken.</param>
/// <param name="TimedOut">Queries that got no answer in time.</param>
/// <param name="Refused">Witness datagrams refused: forged, from another address, late, repeated or to an older query.</param>
public sealed record WitnessStatus(
    string Address, bool Required, bool? Reachable, DateTimeOffset? LastAnswerAt, string? LastAnswerMaster, TimeSpan? LastAnswerHeardAgo,
    long Asked, long Answered, long TimedOut, long Refused);

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
    TimeSpan LongestAdvertGapHeard);

using System.Text.Json.Serialization;

namespace Balancer.Core.Configuration;

/// <summary>The VRRP-like peer protocol that floats the virtual IPs between two nodes.</summary>
public sealed record FailoverConfig
{
    /// <summary>This node's name, unique within the pair.</summary>
    public string NodeId { get; init; } = "";

    /// <summary>1–254; the higher wins mastership. Default 100.</summary>
    public int Priority { get; init; } = 100;

    /// <summary>Whether a higher-priority node takes over from a lower-priority master. Default true.</summary>
    public bool Preempt { get; init; } = true;

    /// <summary>
    /// The first of <see cref="Binds"/>: the UDP address adverts are received on when there is one. Default
    /// <c>0.0.0.0:7946</c>. Setting it sets <see cref="Binds"/> to it alone.
    /// </summary>
    public string Bind
    {
        get => Binds.Count > 0 ? Binds[0] : "";
        init => Binds = [value];
    }

    /// <summary>
    /// The UDP addresses adverts are sent from and received on: <c>failover.bind</c> as a string (one) or an array (one
    /// per heartbeat path, each a specific address, #23). An advert to a peer address goes out from the one that matches it.
    /// </summary>
    public IReadOnlyList<string> Binds { get; init; } = ["0.0.0.0:7946"];

    /// <summary>
    /// Every advert address (<c>ip:port</c>) of every peer, in file order: each heartbeat path of each peer. Adverts go
    /// to each, and one heard on any of them keeps the peer alive.
    /// </summary>
    public IReadOnlyList<string> Peers { get; init; } = [];

    /// <summary>
    /// The peers as written: a string is one peer on one path (no node id); an object names the peer's node id and its
    /// addresses, one per heartbeat path. <see cref="Peers"/> holds their addresses flattened.
    /// </summary>
    public IReadOnlyList<FailoverPeerConfig> PeerNodes { get; init; } = [];

    /// <summary>Time between adverts of the master. Default 1 s.</summary>
    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>File holding the peers' shared HMAC key.</summary>
    public string KeyFile { get; init; } = "";

    /// <summary>Virtual IPs with prefix length, e.g. <c>198.18.0.100/24</c>.</summary>
    public IReadOnlyList<string> VirtualIps { get; init; } = [];

    /// <summary>Network interface the virtual IPs are added to; required when <see cref="VipAction"/> is <c>ip</c>.</summary>
    public string? Interface { get; init; }

    /// <summary>How long a backup keeps hearing a lower-priority master before it preempts. Default 0: at once.</summary>
    public TimeSpan PreemptDelay { get; init; } = TimeSpan.Zero;

    /// <summary>What a new master does with the virtual IPs: <see cref="VipActions.Ip"/> (default) or <see cref="VipActions.None"/>.</summary>
    public string VipAction { get; init; } = VipActions.Ip;

    /// <summary>Pools whose health lowers this node's priority; null when nothing is tracked.</summary>
    public FailoverTrackConfig? Track { get; init; }

    /// <summary>Executables run on each state change; null when there are none.</summary>
    public FailoverNotifyConfig? Notify { get; init; }

    /// <summary>Gratuitous ARPs sent after taking the virtual IPs (keepalived's garp_master_repeat). Default 5.</summary>
    public int GarpRepeat { get; init; } = 5;

    /// <summary>How often a master re-announces the virtual IPs (keepalived's garp_master_refresh); zero = never. Default 60 s.</summary>
    public TimeSpan GarpRefresh { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How far a peer's clock may be from ours for an advert to count as fresh by its send time alone, before the
    /// peer has echoed our epoch (replay protection, docs/failover.md); zero: the echo alone counts. Default 2 s.
    /// </summary>
    public TimeSpan MaxClockSkew { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The witness a node asks before taking over on silence (#23); null when there is none.</summary>
    public FailoverWitnessConfig? Witness { get; init; }

    /// <summary>
    /// <c>failover.groups</c> (#23): groups of virtual IPs, each with its own state machine; empty for the single-group
    /// form, where <see cref="Priority"/>, <see cref="VirtualIps"/>, <see cref="Preempt"/>, <see cref="PreemptDelay"/>,
    /// <see cref="Track"/> and <see cref="Notify"/> make one group named <c>default</c> (see <see cref="EffectiveGroups"/>).
    /// </summary>
    public IReadOnlyList<FailoverGroupConfig> Groups { get; init; } = [];

    /// <summary>The groups this node runs: <see cref="Groups"/>, or the single-group form as one group named <c>default</c>.</summary>
    [JsonIgnore]
    public IReadOnlyList<FailoverGroupConfig> EffectiveGroups => Groups.Count > 0 ? Groups :
    [
        new FailoverGroupConfig
        {
            Name = DefaultGroup, Priority = Priority, VirtualIps = VirtualIps, Preempt = Preempt, PreemptDelay = PreemptDelay, Track = Track, Notify = Notify,
        },
    ];

    /// <summary>Every virtual IP of every group.</summary>
    [JsonIgnore]
    public IEnumerable<string> AllVirtualIps => EffectiveGroups.SelectMany(g => g.VirtualIps);

    /// <summary>The name of the single-group form's one group.</summary>
    public const string DefaultGroup = "default";

    /// <summary>
    /// SCHED_RR priority (1–99) of the thread that sends and reads adverts, when the process may take it (keepalived's
    /// <c>vrrp_rt_priority</c>); 0: nice −10 alone. Read at start. Default 10.
    /// </summary>
    public int RealtimePriority { get; init; } = 10;
}

/// <summary>One entry of <c>failover.peers</c>: a peer node and its addresses, one per heartbeat path.</summary>
public sealed record FailoverPeerConfig
{
    /// <summary>The peer's node id; null for the string form, which names no node.</summary>
    public string? NodeId { get; init; }

    /// <summary>The peer's advert addresses (<c>ip:port</c>), one per heartbeat path.</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];
}

/// <summary><c>failover.witness</c>: a third host (<c>balancer witness</c>) that tells a node whether the master it cannot hear is alive.</summary>
public sealed record FailoverWitnessConfig
{
    /// <summary>The witness's address, <c>ip:port</c>.</summary>
    public string Address { get; init; } = "";

    /// <summary>How long to wait for its answer; at most half the advert interval's Master_Down_Interval is sensible. Default 200 ms.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// False (default): without an answer a backup takes over (availability, as plain VRRP) and an isolated master keeps
    /// the virtual IPs. True: no takeover without the witness's word, and an isolated master releases them (self-fence).
    /// </summary>
    public bool Required { get; init; }
}

/// <summary>The values of <c>failover.vipAction</c>.</summary>
public static class VipActions
{
    /// <summary>Add and remove the virtual IPs with iproute2 and announce them with gratuitous ARP.</summary>
    public const string Ip = "ip";

    /// <summary>Only the protocol and the notify hooks: the hooks move the address (e.g. through a cloud API).</summary>
    public const string None = "none";
}

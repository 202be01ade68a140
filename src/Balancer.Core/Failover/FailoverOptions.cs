using System.Net;
using System.Text;
using Balancer.Core.Configuration;

namespace Balancer.Core.Failover;

/// <summary>What a <see cref="FailoverMachine"/> needs to know, mapped from <see cref="FailoverConfig"/> plus the knobs it lacks.</summary>
public sealed record FailoverOptions
{
    /// <summary>This node's id, 1–64 bytes of UTF-8, different from every peer's.</summary>
    public required string NodeId { get; init; }

    /// <summary>Configured priority 1–255; 255 makes the node master at once on startup (RFC 5798 §6.4.1). Default 100.</summary>
    public int Priority { get; init; } = 100;

    /// <summary>Whether a backup takes over from a lower-priority master (RFC 5798 §6.1 Preempt_Mode). Default true.</summary>
    public bool Preempt { get; init; } = true;

    /// <summary>How long a backup keeps hearing a lower-priority master before it preempts. Default 0: at once.</summary>
    public TimeSpan PreemptDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Time between the master's adverts, 10 ms to 655.35 s in whole centiseconds. Default 1 s.</summary>
    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How much the priority drops while the tracked health is bad (floor 1). Default 50.</summary>
    public int TrackWeight { get; init; } = 50;

    /// <summary>Go to FAULT, instead of lowering the priority, while the tracked health is bad. Default false.</summary>
    public bool FaultOnTrackFailure { get; init; }

    /// <summary>
    /// The groups of virtual IPs (#23), each with its own priority, preemption and tracking; when empty, one group named
    /// <c>default</c> takes <see cref="Priority"/>, <see cref="Preempt"/>, <see cref="PreemptDelay"/>,
    /// <see cref="TrackWeight"/> and <see cref="FaultOnTrackFailure"/> (see <see cref="EffectiveGroups"/>).
    /// </summary>
    public IReadOnlyList<FailoverGroupOptions> Groups { get; init; } = [];

    /// <summary>The groups the machine runs: <see cref="Groups"/>, or the single-group form as <c>default</c>.</summary>
    public IReadOnlyList<FailoverGroupOptions> EffectiveGroups => Groups.Count > 0 ? Groups :
        [new FailoverGroupOptions(AdvertPacket.DefaultGroup, Priority, Preempt, PreemptDelay, TrackWeight, FaultOnTrackFailure)];

    /// <summary>These options as one group sees them: the node's, with the group's priority, preemption and tracking.</summary>
    internal FailoverOptions ForGroup(FailoverGroupOptions group) => this with
    {
        Priority = group.Priority, Preempt = group.Preempt, PreemptDelay = group.PreemptDelay, TrackWeight = group.TrackWeight,
        FaultOnTrackFailure = group.FaultOnTrackFailure,
    };

    /// <summary>Peers' addresses, <c>ip:port</c> or <c>ip</c>; adverts from any other source address are rejected.</summary>
    public IReadOnlyList<string> Peers { get; init; } = [];

    /// <summary>
    /// Each peer with its addresses, one per heartbeat path (#23); when empty, each of <see cref="Peers"/> is a peer of
    /// its own on one path.
    /// </summary>
    public IReadOnlyList<PeerPathsOptions> PeerPaths { get; init; } = [];

    /// <summary>The witness (<c>failover.witness.address</c>, <c>ip:port</c>) a node asks before taking over on silence; null: none (#23).</summary>
    public string? WitnessAddress { get; init; }

    /// <summary>How long a node waits for the witness's answer. Default 200 ms.</summary>
    public TimeSpan WitnessTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Without an answer from the witness: false (default) a backup takes over as plain VRRP would and an isolated
    /// master keeps its virtual IPs; true, a backup does not take over and an isolated master releases them (self-fence).
    /// </summary>
    public bool WitnessRequired { get; init; }

    /// <summary>Peers' node ids; when empty, any node id other than ours is accepted from a peer address.</summary>
    public IReadOnlyList<string> PeerNodeIds { get; init; } = [];

    /// <summary>This node's <see cref="ConfigFingerprint"/>, compared with the peer's to report config drift.</summary>
    public UInt128 ConfigHash { get; init; }

    /// <summary>
    /// How far an advert's send time may be from our clock for it to count as fresh before its session has echoed our
    /// epoch (see <see cref="PeerReplayGuard"/>); zero: only the echo counts. Default <see cref="DefaultMaxClockSkew"/>.
    /// </summary>
    public TimeSpan MaxClockSkew { get; init; } = DefaultMaxClockSkew;

    /// <summary>The default of <see cref="MaxClockSkew"/>: 2 s, far above what NTP keeps and well under a useful recording.</summary>
    public static TimeSpan DefaultMaxClockSkew { get; } = TimeSpan.FromSeconds(2);

    /// <summary>Maps the protocol's fields of <see cref="FailoverConfig"/>; the executable's (VIPs, hooks, GARP) stay there.</summary>
    public static FailoverOptions From(FailoverConfig config, UInt128 configHash = default) => new()
    {
        NodeId = config.NodeId,
        Priority = config.Priority,
        Preempt = config.Preempt,
        PreemptDelay = config.PreemptDelay,
        AdvertInterval = config.AdvertInterval,
        TrackWeight = config.Track?.Weight ?? new FailoverTrackConfig().Weight,
        FaultOnTrackFailure = config.Track?.Fault ?? false,
        Peers = config.Peers,
        Groups = config.Groups.Count == 0 ? [] : [.. config.Groups.Select(FailoverGroupOptions.From)],
        PeerPaths = [.. config.PeerNodes.Select(p => new PeerPathsOptions(p.NodeId, p.Addresses))],

        // Only when every peer is named: a string peer has no node id, and the guard would refuse it.
        PeerNodeIds = config.PeerNodes.Count > 0 && config.PeerNodes.All(p => !string.IsNullOrEmpty(p.NodeId)) ? [.. config.PeerNodes.Select(p => p.NodeId!)] : [],
        ConfigHash = configHash,
        WitnessAddress = config.Witness?.Address,
        WitnessTimeout = config.Witness?.Timeout ?? new FailoverWitnessConfig().Timeout,
        WitnessRequired = config.Witness?.Required ?? false,
        MaxClockSkew = config.MaxClockSkew,
    };

    /// <summary>Every problem with these options, each saying how to fix it; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var idBytes = Encoding.UTF8.GetByteCount(NodeId);
        if (idBytes is < 1 or > AdvertCodec.MaxNodeIdBytes)
        {
            errors.Add($"nodeId must be 1–{AdvertCodec.MaxNodeIdBytes} bytes of UTF-8, is {idBytes}.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in EffectiveGroups)
        {
            var prefix = Groups.Count == 0 ? "" : $"group '{group.Name}': ";
            if (Encoding.UTF8.GetByteCount(group.Name) is < 1 or > AdvertCodec.MaxGroupBytes)
            {
                errors.Add($"group name '{group.Name}' must be 1–{AdvertCodec.MaxGroupBytes} bytes of UTF-8.");
            }
            else if (!names.Add(group.Name))
            {
                errors.Add($"group name '{group.Name}' is used twice.");
            }

            if (group.Priority is < 1 or > 255)
            {
                errors.Add($"{prefix}priority must be 1–255 (0 is reserved for resigning), is {group.Priority}.");
            }

            if (group.PreemptDelay < TimeSpan.Zero)
            {
                errors.Add($"{prefix}preemptDelay must not be negative, is {group.PreemptDelay}.");
            }

            if (group.TrackWeight is < 0 or > 254)
            {
                errors.Add($"{prefix}trackWeight must be 0–254, is {group.TrackWeight}.");
            }
        }

        if (AdvertInterval < TimeSpan.FromMilliseconds(10) || AdvertInterval > TimeSpan.FromMilliseconds(655_350)
            || AdvertInterval.Ticks % (TimeSpan.TicksPerMillisecond * 10) != 0)
        {
            errors.Add($"advertInterval must be whole centiseconds from 10ms to 655.35s, is {AdvertInterval}.");
        }

        if (MaxClockSkew < TimeSpan.Zero)
        {
            errors.Add($"maxClockSkew must not be negative, is {MaxClockSkew}.");
        }

        foreach (var peer in Peers)
        {
            if (ParsePeerAddress(peer) is null)
            {
                errors.Add($"peer '{peer}' is not an ip:port or ip address.");
            }
        }

        if (WitnessAddress is { } witness && ParsePeerAddress(witness) is null)
        {
            errors.Add($"witness '{witness}' is not an ip:port address.");
        }

        if (WitnessTimeout <= TimeSpan.Zero)
        {
            errors.Add($"witness timeout must be positive, is {WitnessTimeout}.");
        }

        if (PeerNodeIds.Contains(NodeId, StringComparer.Ordinal))
        {
            errors.Add($"peerNodeIds must not contain this node's own id '{NodeId}'.");
        }

        return errors;
    }

    /// <summary>The address of a peer written <c>ip:port</c> or <c>ip</c>, or null.</summary>
    internal static IPAddress? ParsePeerAddress(string peer) =>
        IPEndPoint.TryParse(peer, out var endPoint) ? endPoint.Address : null;
}

/// <summary>One group of virtual IPs as the machine runs it (#23): its name and what its state machine decides by.</summary>
/// <param name="Name">The group's name, carried in its adverts, 1–32 bytes of UTF-8.</param>
/// <param name="Priority">Configured priority 1–255 in this group.</param>
/// <param name="Preempt">Whether a backup takes this group over from a lower-priority master.</param>
/// <param name="PreemptDelay">How long a backup keeps hearing a lower-priority master before it preempts.</param>
/// <param name="TrackWeight">How much the priority drops while this group's tracked health is bad (floor 1).</param>
/// <param name="FaultOnTrackFailure">Go to FAULT, instead of lowering the priority, while this group's tracked health is bad.</param>
public sealed record FailoverGroupOptions(string Name, int Priority = 100, bool Preempt = true, TimeSpan PreemptDelay = default, int TrackWeight = 50, bool FaultOnTrackFailure = false)
{
    /// <summary>Maps one entry of <c>failover.groups</c>.</summary>
    public static FailoverGroupOptions From(FailoverGroupConfig config) => new(
        config.Name, config.Priority, config.Preempt, config.PreemptDelay, config.Track?.Weight ?? new FailoverTrackConfig().Weight, config.Track?.Fault ?? false);
}

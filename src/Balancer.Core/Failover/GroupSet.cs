using System.Net;

namespace Balancer.Core.Failover;

/// <summary>
/// The groups of virtual IPs one machine runs (#23, <c>failover.groups</c>), in config order: each its own
/// <see cref="FailoverGroup"/> state machine over the one socket, key and peer. Runs a decision on one group or on all,
/// stamping the actions each appends with its name, and remembers per group what the peer's adverts said, for <c>/status</c>.
/// </summary>
internal sealed class GroupSet
{
    private readonly FailoverGroup[] _groups;
    private readonly Dictionary<string, (FailoverGroup Group, GroupPeerView Peer)> _byName = new(StringComparer.Ordinal);
    private readonly List<FailoverAction> _actions;

    public GroupSet(FailoverOptions options, AdvertWriter writer, List<FailoverAction> actions, Func<TimeSpan> now)
    {
        _actions = actions;
        _groups = [.. options.EffectiveGroups.Select(g => new FailoverGroup(g.Name, options.ForGroup(g), writer, actions, now))];
        foreach (var group in _groups)
        {
            _byName[group.Name] = (group, new GroupPeerView());
        }
    }

    /// <summary>The groups in config order; the first stands for the node where one state is asked for.</summary>
    public IReadOnlyList<FailoverGroup> All => _groups;

    /// <summary>The first group: the single-group form's only one.</summary>
    public FailoverGroup First => _groups[0];

    /// <summary>The group named <paramref name="name"/>, or null.</summary>
    public FailoverGroup? Find(string name) => _byName.TryGetValue(name, out var entry) ? entry.Group : null;

    /// <summary>The earliest timer deadline of any group, or null.</summary>
    public TimeSpan? NextDeadline => _groups.Select(g => g.NextDeadline).Min();

    /// <summary>The longest Master_Down_Interval of the groups: the window a heartbeat path must be silent for to be reported.</summary>
    public TimeSpan LongestMasterDownInterval => _groups.Max(g => g.MasterDownInterval);

    /// <summary>Runs <paramref name="decide"/> on every group in order.</summary>
    public void ForEach(Action<FailoverGroup> decide)
    {
        foreach (var group in _groups)
        {
            Run(group, decide);
        }
    }

    /// <summary>Runs <paramref name="decide"/> on one group, stamping the actions it appends with the group's name.</summary>
    public void Run(FailoverGroup group, Action<FailoverGroup> decide)
    {
        var before = _actions.Count;
        decide(group);
        if (group.Name == AdvertPacket.DefaultGroup)
        {
            return;
        }

        for (var i = before; i < _actions.Count; i++)
        {
            _actions[i] = _actions[i] with { Group = group.Name };
        }
    }

    /// <summary>Records an authentic advert of the peer for its group, or a copy of it by another heartbeat path.</summary>
    public void Saw(in AdvertPacket packet, IPAddress source, DateTimeOffset at, bool copy)
    {
        if (_byName.TryGetValue(packet.Group, out var entry))
        {
            entry.Peer.Saw(packet, source, at, copy);
        }
    }

    /// <summary>The witness as the groups see it (null when none is configured): one witness for all, the counters added up.</summary>
    public WitnessStatus? Witness(FailoverOptions options)
    {
        if (options.WitnessAddress is not { } address)
        {
            return null;
        }

        var roles = _groups.Select(g => g.Witness).ToList();
        var witness = roles.MaxBy(w => w.LastAnswerAt ?? DateTimeOffset.MinValue)!;
        var reachable = roles.Any(w => w.Reachable == false) ? false : roles.Any(w => w.Reachable == true) ? true : (bool?)null;
        return new WitnessStatus(address, options.WitnessRequired, reachable, witness.LastAnswerAt,
            witness.LastAnswer?.NodeId is { Length: > 0 } master ? master : null, witness.LastAnswer is { NodeId.Length: > 0 } a ? a.HeardAgo : null,
            roles.Sum(w => w.Asked), roles.Sum(w => w.Answered), roles.Sum(w => w.TimedOut), roles.Sum(w => w.Refused));
    }

    /// <summary>The fields of <paramref name="options"/> that differ from the running ones and cannot change live.</summary>
    public IReadOnlyList<string> ReconfigureProblems(FailoverOptions options)
    {
        var running = First.Options;
        var problems = new List<string>();
        Check(running.NodeId == options.NodeId, "nodeId");
        Check(running.AdvertInterval == options.AdvertInterval, "advertInterval");
        Check(running.Peers.SequenceEqual(options.Peers, StringComparer.Ordinal), "peers");
        Check(running.WitnessAddress == options.WitnessAddress, "witness.address");
        Check(running.PeerNodeIds.SequenceEqual(options.PeerNodeIds, StringComparer.Ordinal), "peerNodeIds");
        Check(running.MaxClockSkew == options.MaxClockSkew, "maxClockSkew"); // the replay guard is built with it
        Check(_groups.Select(g => g.Name).SequenceEqual(options.EffectiveGroups.Select(g => g.Name), StringComparer.Ordinal), "groups (their names)");
        Check(_groups.Select(g => g.Options.FaultOnTrackFailure).SequenceEqual(options.EffectiveGroups.Select(g => g.FaultOnTrackFailure)),
            options.Groups.Count == 0 ? "track.fault" : "groups[].track.fault");
        return problems;

        void Check(bool same, string field)
        {
            if (!same)
            {
                problems.Add($"failover.{field} cannot change while running; restart balancer to change it");
            }
        }
    }

    /// <summary>Each group's view for <c>/status</c> and metrics.</summary>
    public IReadOnlyList<GroupStatus> Snapshot() => [.. _groups.Select(g => _byName[g.Name].Peer.Status(g))];
}

/// <summary>What one group's adverts from the peer said last, and when each heartbeat path last brought one.</summary>
internal sealed class GroupPeerView
{
    private readonly Dictionary<IPAddress, DateTimeOffset> _paths = [];
    private AdvertPacket? _last;
    private DateTimeOffset? _lastAt;

    public void Saw(in AdvertPacket packet, IPAddress source, DateTimeOffset at, bool copy)
    {
        var from = source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source;
        if (_paths.Count < 16 || _paths.ContainsKey(from)) // sources are peer addresses only; the bound is for safety
        {
            _paths[from] = at;
        }

        if (!copy)
        {
            (_last, _lastAt) = (packet, at);
        }
    }

    public GroupStatus Status(FailoverGroup group)
    {
        var master = group.State == FailoverState.Master ? group.Options.NodeId
            : group.State == FailoverState.Backup && _last is { State: FailoverState.Master, Priority: > 0 } peer ? peer.NodeId : null;
        return new GroupStatus(group.Name, group.State, group.Options.Priority, group.EffectivePriority, group.Healthy, master, _last?.NodeId, _last?.State,
            _last?.Priority, _lastAt, group.Transitions, [.. _paths.Select(p => new GroupPathStatus(p.Key.ToString(), p.Value)).OrderBy(p => p.Address, StringComparer.Ordinal)]);
    }
}

/// <summary>One group of virtual IPs as this node sees it (#23), for <c>/status</c> and metrics.</summary>
/// <param name="Name">The group's name.</param>
/// <param name="State">This node's state in the group.</param>
/// <param name="Priority">The configured priority.</param>
/// <param name="EffectivePriority">The priority advertised now, after tracking.</param>
/// <param name="TrackedHealthy">The group's tracked health.</param>
/// <param name="Master">The group's master as this node knows it: itself, the peer whose master adverts it hears, or null.</param>
/// <param name="PeerNodeId">The node id of the peer's last advert for the group, or null.</param>
/// <param name="PeerState">The state that advert carried, or null.</param>
/// <param name="PeerPriority">The priority that advert carried, or null.</param>
/// <param name="PeerLastAdvertAt">When that advert came, or null.</param>
/// <param name="Transitions">This group's state changes.</param>
/// <param name="Paths">Per peer address (heartbeat path), when an advert of this group last came by it.</param>
public sealed record GroupStatus(
    string Name, FailoverState State, int Priority, int EffectivePriority, bool TrackedHealthy, string? Master, string? PeerNodeId, FailoverState? PeerState,
    int? PeerPriority, DateTimeOffset? PeerLastAdvertAt, long Transitions, IReadOnlyList<GroupPathStatus> Paths);

/// <summary>When an advert of a group last came by one heartbeat path (the peer's address on it).</summary>
public sealed record GroupPathStatus(string Address, DateTimeOffset LastAdvertAt);

using System.Net;

namespace Balancer.Core.Failover;

/// <summary>
/// One node's side of the VRRP-like protocol (RFC 5798 §6.4, over unicast to configured peers). Pure: every call
/// returns the <see cref="FailoverAction"/>s the executable must apply, in order; time comes from the injected
/// <see cref="TimeProvider"/>, and the executable calls <see cref="Tick"/> when <see cref="NextTimerDue"/> has passed.
/// Calls are serialised by an internal lock.
/// </summary>
/// <remarks>
/// The parts: <see cref="AdvertIntake"/> authenticates and admits datagrams, <see cref="PeerRecord"/> remembers the
/// peer, <see cref="GroupSet"/> holds a <see cref="FailoverGroup"/> state machine per group of virtual IPs (#23: one
/// socket, key and peer for all; each advert names its group), <see cref="AdvertWriter"/> makes our adverts.
/// </remarks>
public sealed class FailoverMachine
{
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly Lock _lock = new();
    private readonly List<FailoverAction> _actions = [];
    private readonly AdvertIntake _intake;
    private readonly AdvertWriter _writer;
    private readonly PeerRecord _peer = new();
    private readonly GroupSet _groups;
    private readonly HeartbeatPaths _paths;
    private readonly IPAddress? _witness;

    /// <summary>Makes a machine in INIT with one key. <paramref name="epoch"/> defaults to the start time in Unix milliseconds.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> fail <see cref="FailoverOptions.Validate"/>, or <paramref name="key"/> is empty.</exception>
    public FailoverMachine(FailoverOptions options, ReadOnlySpan<byte> key, TimeProvider time, ulong? epoch = null)
        : this(options, key.IsEmpty ? throw new ArgumentException("The shared key is empty; see FailoverKey.TryParse.", nameof(key)) : new FailoverKeyRing(key), time, epoch)
    {
    }

    /// <summary>Makes a machine in INIT. <paramref name="epoch"/> defaults to the start time in Unix milliseconds.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> fail <see cref="FailoverOptions.Validate"/>.</exception>
    public FailoverMachine(FailoverOptions options, FailoverKeyRing keys, TimeProvider time, ulong? epoch = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        _time = time;
        _origin = time.GetTimestamp();
        var ownEpoch = epoch ?? (ulong)time.GetUtcNow().ToUnixTimeMilliseconds();
        var guard = new PeerReplayGuard(options.NodeId, options.Peers.Select(p => FailoverOptions.ParsePeerAddress(p)!), options.PeerNodeIds, ownEpoch, options.MaxClockSkew,
            options.EffectiveGroups.Select(g => g.Name));
        _intake = new AdvertIntake(guard);
        _writer = new AdvertWriter(keys, ownEpoch, () => guard.EchoEpoch, time);
        _groups = new GroupSet(options, _writer, _actions, () => _time.GetElapsedTime(_origin));
        _paths = new HeartbeatPaths(options);
        _witness = options.WitnessAddress is { } address ? FailoverOptions.ParsePeerAddress(address) : null;
    }

    /// <summary>The current state of the first group (the single-group form's only one); see <see cref="StateOf"/>.</summary>
    public FailoverState State => FirstGroup.State;

    /// <summary>The first group's priority advertised now: the configured one, lowered by the track weight while unhealthy (floor 1).</summary>
    public int EffectivePriority => FirstGroup.EffectivePriority;

    /// <summary>The names of the groups, in config order (<c>default</c> alone in the single-group form).</summary>
    public IReadOnlyList<string> GroupNames => [.. _groups.All.Select(g => g.Name)];

    /// <summary>The state of group <paramref name="group"/>.</summary>
    /// <exception cref="ArgumentException">No group has that name.</exception>
    public FailoverState StateOf(string group) => Group(group).State; // one byte per group, read as State is: no lock

    /// <summary>True when every group is in <paramref name="state"/>.</summary>
    public bool AllIn(FailoverState state) => _groups.All.All(g => g.State == state);

    /// <summary>True when some group is in <paramref name="state"/>.</summary>
    public bool AnyIn(FailoverState state) => _groups.All.Any(g => g.State == state);

    /// <summary>True while a resigned master holds the virtual IPs waiting for its successor.</summary>
    public bool HandingOver
    {
        get
        {
            lock (_lock)
            {
                return _groups.All.Any(g => g.HandingOver);
            }
        }
    }

    /// <summary>How long until <see cref="Tick"/> has work (zero when overdue); null when no timer runs.</summary>
    public TimeSpan? NextTimerDue
    {
        get
        {
            lock (_lock)
            {
                var left = _groups.NextDeadline - _time.GetElapsedTime(_origin); // the clock read once: twice, it moves between test and result
                return left is { } l ? (l > TimeSpan.Zero ? l : TimeSpan.Zero) : null;
            }
        }
    }

    /// <summary>
    /// How long a resigned master waits for its successor: a backup takes over Skew_Time (under one interval) after
    /// the resign, and its second advert follows one interval later; one more interval covers scheduling delays.
    /// </summary>
    public static TimeSpan HandoverTimeout(TimeSpan advertInterval) => 3 * advertInterval;

    /// <summary>The startup event (RFC 5798 §6.4.1): INIT → MASTER at priority 255, else BACKUP (FAULT while unhealthy, if so configured).</summary>
    public IReadOnlyList<FailoverAction> Start() => Run(() => _groups.ForEach(g => g.Start()));

    /// <summary>Fires the timers that are due: master down, preempt delay, the master's next advert, the hand-over bound.</summary>
    public IReadOnlyList<FailoverAction> Tick() => Run(() =>
    {
        _groups.ForEach(g => g.Tick());
        CheckPaths();
    });

    /// <summary>
    /// The shutdown event. A master sends a priority-0 advert at once, so a backup takes over after Skew_Time, and
    /// stops advertising; it leaves MASTER (removing the virtual IPs) when its successor has advertised twice, or
    /// after <see cref="HandoverTimeout"/>, or at once when called again. Any other state goes to INIT at once.
    /// </summary>
    public IReadOnlyList<FailoverAction> Shutdown() => Run(() => _groups.ForEach(g => g.Shutdown()));

    /// <summary>
    /// Reports the tracked health (e.g. "a pool has a healthy backend"). Unhealthy lowers the effective priority by
    /// the track weight, and a master advertises it at once so a preempting peer takes over; or, with
    /// <see cref="FailoverOptions.FaultOnTrackFailure"/>, goes to FAULT. Healthy again restores it.
    /// </summary>
    public IReadOnlyList<FailoverAction> SetTrackedHealth(bool healthy) => Run(() => _groups.ForEach(g => g.SetTrackedHealth(healthy)));

    /// <summary>
    /// Reports the state of the interface the virtual IPs live on (<paramref name="device"/>, for the log): down sends
    /// every group to FAULT (a master resigning first), up returns them to BACKUP unless their tracked health keeps them there.
    /// </summary>
    public IReadOnlyList<FailoverAction> SetInterfaceUp(bool up, string device) => Run(() =>
    {
        if (up && _groups.All.Any(g => !g.InterfaceUp && g.State == FailoverState.Fault))
        {
            // Back from a dead link: a new session, so that a preemption waits for the peer to show it hears us again.
            _writer.NewSession();
        }

        _groups.ForEach(g => g.SetInterfaceUp(up, device));
    });

    /// <summary>Reports the tracked health of one group (its own <c>track</c>, #23): only that group's priority or state changes.</summary>
    /// <exception cref="ArgumentException">No group has that name.</exception>
    public IReadOnlyList<FailoverAction> SetTrackedHealth(string group, bool healthy) => Run(() => _groups.Run(Group(group), g => g.SetTrackedHealth(healthy)));

    /// <summary>
    /// Feeds one received datagram. Forged, malformed, replayed or foreign datagrams are counted by reason and
    /// change nothing else.
    /// </summary>
    public IReadOnlyList<FailoverAction> OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        var ring = _writer.Ring;
        if (_witness is { } witness && WitnessCodec.IsWitnessMessage(datagram))
        {
            return OnWitnessDatagram(datagram, source, witness, ring);
        }

        var decoded = _intake.Decode(datagram, source, ring); // outside the lock: the MAC is the costly part
        lock (_lock)
        {
            var admitted = _intake.Admit(decoded, source, _time.GetUtcNow(), out var newSession, out var pathHeard);
            _actions.Clear();
            if (pathHeard)
            {
                _paths.Heard(source.Address, Now);
                CheckPaths();
            }

            var packet = decoded.Packet;
            if (pathHeard)
            {
                _groups.Saw(packet, source.Address, _time.GetUtcNow(), copy: !admitted);
            }

            if (!admitted)
            {
                return [.. _actions];
            }

            if (_peer.Saw(packet, ring.KeyIds[decoded.KeySlot - 1], _time.GetUtcNow(), FirstGroup.Options.ConfigHash) is { } drift)
            {
                _actions.Add(drift);
            }

            // Any advert of the peer, whatever its group, shows the peer alive to every group (the witness's question).
            _groups.ForEach(g =>
            {
                if (newSession)
                {
                    g.AdvertiseNow();
                }

                g.PeerHeard();
            });

            // Only a master advertises as master (RFC 5798 §6.4.3); the others' adverts are for /status only.
            if (packet.State == FailoverState.Master && _groups.Find(packet.Group) is { } group)
            {
                _groups.Run(group, g => g.OnMasterAdvert(packet));
            }

            return [.. _actions];
        }
    }

    /// <summary>Every datagram rejected so far, whatever the reason; cheap to read on every datagram.</summary>
    public long RejectedTotal => _intake.RejectedTotal;

    /// <summary>Takes a reloaded key file: adverts are signed with its first key from now on, and verified with any of its keys.</summary>
    public void SetKeys(FailoverKeyRing keys) => _writer.Ring = keys;

    /// <summary>
    /// Takes new priority, preempt, preempt delay, track weight and config hash without leaving the current state.
    /// A master whose effective priority changes advertises it at once, so a peer that now outranks it preempts.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid, or change what only a restart can (see <see cref="ReconfigureProblems"/>).</exception>
    public IReadOnlyList<FailoverAction> Reconfigure(FailoverOptions options)
    {
        var problems = options.Validate().Concat(ReconfigureProblems(options)).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        return Run(() => _groups.ForEach(g => g.Reconfigure(options.ForGroup(options.EffectiveGroups.First(o => o.Name == g.Name)))));
    }

    /// <summary>The fields of <paramref name="options"/> that differ from the running ones and cannot change live.</summary>
    public IReadOnlyList<string> ReconfigureProblems(FailoverOptions options) => _groups.ReconfigureProblems(options);

    /// <summary>A view for <c>/status</c> and metrics.</summary>
    public FailoverSnapshot GetSnapshot()
    {
        lock (_lock)
        {
            var ring = _writer.Ring;
            return new FailoverSnapshot(FirstGroup.State, FirstGroup.EffectivePriority, FirstGroup.Healthy, _peer.NodeId, _peer.LastAdvertAt, _peer.State, _peer.Priority,
                FirstGroup.Transitions, FirstGroup.DualMasterEvents, _intake.Rejected(), _peer.DriftsFrom(FirstGroup.Options.ConfigHash), _peer.ConfigHash,
                FirstGroup.LongestAdvertGapSent, FirstGroup.LongestAdvertGapHeard, ring.SigningKeyId, ring.KeyIds, _peer.KeyId,
                (long)_writer.Sent, _intake.Accepted, _peer.Sequence, _intake.LastSources(), _intake.LastForeignVersion is > 0 and var version ? version : null,
                _paths.Snapshot(Now, _time.GetUtcNow()), _groups.Witness(FirstGroup.Options), _groups.Snapshot());
        }
    }

    /// <summary>A witness message: taken only from the witness's address, authentic, and then only as the answer to the pending query.</summary>
    private IReadOnlyList<FailoverAction> OnWitnessDatagram(ReadOnlySpan<byte> datagram, IPEndPoint source, IPAddress witness, FailoverKeyRing ring)
    {
        var from = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        WitnessMessage answer = default;
        var authentic = from.Equals(witness) && WitnessCodec.TryDecode(datagram, ring, out answer, out _) && answer.IsAnswer;
        lock (_lock)
        {
            _actions.Clear();
            if (authentic && _groups.Find(answer.Group) is { } group)
            {
                var utcNow = _time.GetUtcNow();
                _groups.Run(group, g => g.OnWitnessAnswer(answer, utcNow));
            }
            else
            {
                FirstGroup.Witness.RefuseForged();
            }

            return [.. _actions];
        }
    }

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>
    /// Reports heartbeat paths that fell silent or work again. The window is the Master_Down_Interval: a path silent
    /// that long would have caused a failover had it been the only one. Run on every tick and advert, so it speaks
    /// within one advert interval of the window; it holds no timer of its own.
    /// </summary>
    private void CheckPaths() => _paths.Check(Now, _groups.LongestMasterDownInterval, _actions);

    /// <summary>The first group: node-wide settings (node id, witness, config hash) are the same in every group's options.</summary>
    private FailoverGroup FirstGroup => _groups.First;

    private FailoverGroup Group(string name) => _groups.Find(name) ?? throw new ArgumentException($"No failover group is named '{name}'.", nameof(name));

    private IReadOnlyList<FailoverAction> Run(Action decide)
    {
        lock (_lock)
        {
            _actions.Clear();
            decide();
            return [.. _actions];
        }
    }
}

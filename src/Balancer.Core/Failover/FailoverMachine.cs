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
/// peer, <see cref="FailoverGroup"/> is the state machine, <see cref="AdvertWriter"/> makes our adverts.
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
    private readonly FailoverGroup _group;
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
        var guard = new PeerReplayGuard(options.NodeId, options.Peers.Select(p => FailoverOptions.ParsePeerAddress(p)!), options.PeerNodeIds, ownEpoch, options.MaxClockSkew);
        _intake = new AdvertIntake(guard);
        _writer = new AdvertWriter(keys, ownEpoch, () => guard.EchoEpoch, time);
        _group = new FailoverGroup(AdvertPacket.DefaultGroup, options, _writer, _actions, () => _time.GetElapsedTime(_origin));
        _paths = new HeartbeatPaths(options);
        _witness = options.WitnessAddress is { } address ? FailoverOptions.ParsePeerAddress(address) : null;
    }

    /// <summary>The current state.</summary>
    public FailoverState State => _group.State;

    /// <summary>The priority advertised now: the configured one, lowered by the track weight while unhealthy (floor 1).</summary>
    public int EffectivePriority => _group.EffectivePriority;

    /// <summary>True while a resigned master holds the virtual IPs waiting for its successor.</summary>
    public bool HandingOver
    {
        get
        {
            lock (_lock)
            {
                return _group.HandingOver;
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
                var left = _group.NextDeadline - _time.GetElapsedTime(_origin); // the clock read once: twice, it moves between test and result
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
    public IReadOnlyList<FailoverAction> Start() => Run(_group.Start);

    /// <summary>Fires the timers that are due: master down, preempt delay, the master's next advert, the hand-over bound.</summary>
    public IReadOnlyList<FailoverAction> Tick() => Run(() =>
    {
        _group.Tick();
        CheckPaths();
    });

    /// <summary>
    /// The shutdown event. A master sends a priority-0 advert at once, so a backup takes over after Skew_Time, and
    /// stops advertising; it leaves MASTER (removing the virtual IPs) when its successor has advertised twice, or
    /// after <see cref="HandoverTimeout"/>, or at once when called again. Any other state goes to INIT at once.
    /// </summary>
    public IReadOnlyList<FailoverAction> Shutdown() => Run(_group.Shutdown);

    /// <summary>
    /// Reports the tracked health (e.g. "a pool has a healthy backend"). Unhealthy lowers the effective priority by
    /// the track weight, and a master advertises it at once so a preempting peer takes over; or, with
    /// <see cref="FailoverOptions.FaultOnTrackFailure"/>, goes to FAULT. Healthy again restores it.
    /// </summary>
    public IReadOnlyList<FailoverAction> SetTrackedHealth(bool healthy) => Run(() => _group.SetTrackedHealth(healthy));

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

            if (!admitted)
            {
                return [.. _actions];
            }

            var packet = decoded.Packet;
            if (_peer.Saw(packet, ring.KeyIds[decoded.KeySlot - 1], _time.GetUtcNow(), _group.Options.ConfigHash) is { } drift)
            {
                _actions.Add(drift);
            }

            if (newSession)
            {
                _group.AdvertiseNow();
            }

            _group.PeerHeard();

            // Only a master advertises as master (RFC 5798 §6.4.3); the others' adverts are for /status only.
            if (packet.State == FailoverState.Master)
            {
                _group.OnMasterAdvert(packet);
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

        return Run(() => _group.Reconfigure(options));
    }

    /// <summary>The fields of <paramref name="options"/> that differ from the running ones and cannot change live.</summary>
    public IReadOnlyList<string> ReconfigureProblems(FailoverOptions options)
    {
        var running = _group.Options;
        var problems = new List<string>();
        Check(running.NodeId == options.NodeId, "nodeId");
        Check(running.AdvertInterval == options.AdvertInterval, "advertInterval");
        Check(running.Peers.SequenceEqual(options.Peers, StringComparer.Ordinal), "peers");
        Check(running.WitnessAddress == options.WitnessAddress, "witness.address");
        Check(running.PeerNodeIds.SequenceEqual(options.PeerNodeIds, StringComparer.Ordinal), "peerNodeIds");
        Check(running.FaultOnTrackFailure == options.FaultOnTrackFailure, "track.fault");
        Check(running.MaxClockSkew == options.MaxClockSkew, "maxClockSkew"); // the replay guard is built with it
        return problems;

        void Check(bool same, string field)
        {
            if (!same)
            {
                problems.Add($"failover.{field} cannot change while running; restart balancer to change it");
            }
        }
    }

    /// <summary>A view for <c>/status</c> and metrics.</summary>
    public FailoverSnapshot GetSnapshot()
    {
        lock (_lock)
        {
            var ring = _writer.Ring;
            return new FailoverSnapshot(_group.State, _group.EffectivePriority, _group.Healthy, _peer.NodeId, _peer.LastAdvertAt, _peer.State, _peer.Priority,
                _group.Transitions, _group.DualMasterEvents, _intake.Rejected(), _peer.DriftsFrom(_group.Options.ConfigHash), _peer.ConfigHash,
                _group.LongestAdvertGapSent, _group.LongestAdvertGapHeard, ring.SigningKeyId, ring.KeyIds, _peer.KeyId,
                (long)_writer.Sent, _intake.Accepted, _peer.Sequence, _intake.LastSources(), _intake.LastForeignVersion is > 0 and var version ? version : null,
                _paths.Snapshot(Now, _time.GetUtcNow()), WitnessSnapshot());
        }
    }

    /// <summary>
    /// Deterministic tie-break for equal priorities: the greater node id (ordinal) wins, as RFC 5798 §6.4.3
    /// lets the greater primary IP address win.
    /// </summary>
    internal static bool Outranks(int priority, string nodeId, int otherPriority, string otherNodeId) =>
        priority != otherPriority ? priority > otherPriority : string.CompareOrdinal(nodeId, otherNodeId) > 0;

    /// <summary>A witness message: taken only from the witness's address, authentic, and then only as the answer to the pending query.</summary>
    private IReadOnlyList<FailoverAction> OnWitnessDatagram(ReadOnlySpan<byte> datagram, IPEndPoint source, IPAddress witness, FailoverKeyRing ring)
    {
        var from = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        WitnessMessage answer = default;
        var authentic = from.Equals(witness) && WitnessCodec.TryDecode(datagram, ring, out answer, out _) && answer.IsAnswer;
        lock (_lock)
        {
            _actions.Clear();
            if (authentic)
            {
                _group.OnWitnessAnswer(answer, _time.GetUtcNow());
            }
            else
            {
                _group.Witness.RefuseForged();
            }

            return [.. _actions];
        }
    }

    private WitnessStatus? WitnessSnapshot()
    {
        var witness = _group.Witness;
        var options = _group.Options;
        return options.WitnessAddress is not { } address ? null : new WitnessStatus(address, options.WitnessRequired, witness.Reachable, witness.LastAnswerAt,
            witness.LastAnswer?.NodeId is { Length: > 0 } master ? master : null, witness.LastAnswer is { NodeId.Length: > 0 } a ? a.HeardAgo : null,
            witness.Asked, witness.Answered, witness.TimedOut, witness.Refused);
    }

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>
    /// Reports heartbeat paths that fell silent or work again. The window is the Master_Down_Interval: a path silent
    /// that long would have caused a failover had it been the only one. Run on every tick and advert, so it speaks
    /// within one advert interval of the window; it holds no timer of its own.
    /// </summary>
    private void CheckPaths() => _paths.Check(Now, _group.MasterDownInterval, _actions);

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

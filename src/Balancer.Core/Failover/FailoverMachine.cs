namespace Balancer.Core.Failover;

/// <summary>
/// One node's side of the VRRP-like protocol (RFC 5798 §6.4, over unicast to configured peers). Pure: every
/// call returns the <see cref="FailoverAction"/>s the executable must apply, in order; time comes from the
/// injected <see cref="TimeProvider"/>, and the executable calls <see cref="Tick"/> when <see cref="NextTimerDue"/>
/// has passed. Calls are serialised by an internal lock.
/// </summary>
public sealed partial class FailoverMachine
{
    private FailoverOptions _options;
    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly PeerReplayGuard _guard;
    private readonly Lock _lock = new();
    private readonly List<FailoverAction> _actions = [];
    private readonly long[] _decodeRejects = new long[Enum.GetValues<DecodeError>().Length];
    private readonly long[] _peerRejects = new long[Enum.GetValues<PeerCheck>().Length];
    private readonly ulong _epoch;
    private ulong _sequence;
    private bool _healthy = true;
    private TimeSpan _masterAdvertInterval;
    private TimeSpan? _masterDownAt;   // RFC 5798 §6.2 Master_Down_Timer, as time since _origin
    private TimeSpan? _advertAt;       // RFC 5798 §6.2 Adver_Timer
    private TimeSpan? _preemptAt;
    private string? _preempting;         // the lower-priority master a pending preemption will replace
    private string? _awaitingResignFrom; // the master we displaced: its resign is expected, not a dual master
    private string? _resignedBy;         // the master whose resign set the Master_Down_Timer to Skew_Time
    private GapTracker _sentGaps;        // between our adverts as master
    private GapTracker _heardGaps;       // between the master's adverts we took in as backup
    private long _transitions;
    private long _dualMasterEvents;
    private (string NodeId, DateTimeOffset At)? _lastAdvert;
    private UInt128? _peerConfigHash;

    /// <summary>Makes a machine in INIT. <paramref name="epoch"/> defaults to the start time in Unix milliseconds.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> fail <see cref="FailoverOptions.Validate"/>, or <paramref name="key"/> is empty.</exception>
    public FailoverMachine(FailoverOptions options, ReadOnlySpan<byte> key, TimeProvider time, ulong? epoch = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        if (key.IsEmpty)
        {
            throw new ArgumentException("The shared key is empty; see FailoverKey.TryParse.", nameof(key));
        }

        _options = options;
        _key = key.ToArray();
        _time = time;
        _origin = time.GetTimestamp();
        _epoch = epoch ?? (ulong)time.GetUtcNow().ToUnixTimeMilliseconds();
        _guard = new PeerReplayGuard(options.NodeId, options.Peers.Select(p => FailoverOptions.ParsePeerAddress(p)!), options.PeerNodeIds);
        _masterAdvertInterval = options.AdvertInterval;
    }

    /// <summary>The current state.</summary>
    public FailoverState State { get; private set; } = FailoverState.Init;

    /// <summary>The priority advertised now: the configured one, lowered by the track weight while unhealthy (floor 1).</summary>
    public int EffectivePriority => _healthy ? _options.Priority : Math.Max(1, Math.Min(254, _options.Priority - _options.TrackWeight));

    /// <summary>How long until <see cref="Tick"/> has work (zero when overdue); null when no timer runs.</summary>
    public TimeSpan? NextTimerDue
    {
        get
        {
            lock (_lock)
            {
                var next = Min(Min(Min(_masterDownAt, _advertAt), _preemptAt), _handoverUntil);
                var left = next - Now; // Now read once: read twice, the clock moves between the test and the result
                return left is { } l ? (l > TimeSpan.Zero ? l : TimeSpan.Zero) : null;
            }
        }
    }

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>The startup event (RFC 5798 §6.4.1): INIT → MASTER at priority 255, else BACKUP (FAULT while unhealthy, if so configured).</summary>
    public IReadOnlyList<FailoverAction> Start() => Run(() =>
    {
        if (State != FailoverState.Init)
        {
            return;
        }

        if (!_healthy && _options.FaultOnTrackFailure)
        {
            ChangeState(FailoverState.Fault, FailoverEvent.Startup, "tracked health is bad at startup");
        }
        else if (EffectivePriority == 255)
        {
            ChangeState(FailoverState.Master, FailoverEvent.Startup, "priority 255 owns the virtual IPs (RFC 5798 §6.4.1)");
        }
        else
        {
            ChangeState(FailoverState.Backup, FailoverEvent.Startup, "started");
        }
    });

    /// <summary>Fires the timers that are due: master down, preempt delay, the master's next advert.</summary>
    public IReadOnlyList<FailoverAction> Tick() => Run(() =>
    {
        var now = Now;
        if (State == FailoverState.Master && _handoverUntil <= now)
        {
            ChangeState(FailoverState.Init, FailoverEvent.Shutdown, $"no successor advertised within {HandoverTimeout(_options.AdvertInterval)}");
        }
        else if (State == FailoverState.Backup && _masterDownAt <= now)
        {
            ChangeState(FailoverState.Master, FailoverEvent.MasterDownTimerExpired, _resignedBy is { } resigned
                ? $"{resigned} resigned and Skew_Time {FailoverTimers.SkewTime(EffectivePriority, _masterAdvertInterval)} passed"
                : $"no master advert for {MasterDownInterval}");
        }
        else if (State == FailoverState.Backup && _preemptAt <= now)
        {
            ChangeState(FailoverState.Master, FailoverEvent.PreemptDelayExpired, $"preempting {_preempting} after {_options.PreemptDelay}");
            _awaitingResignFrom = _preempting;
        }
        else if (State == FailoverState.Master && _advertAt <= now)
        {
            // RFC 5798 §6.4.3: send an ADVERTISEMENT and reset the Adver_Timer.
            SendAdvert(EffectivePriority);
            _advertAt = now + _options.AdvertInterval;
        }
    });

    /// <summary>A view for <c>/status</c> and metrics.</summary>
    public FailoverSnapshot GetSnapshot()
    {
        lock (_lock)
        {
            var rejected = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var reason in Enum.GetValues<DecodeError>().Where(r => _decodeRejects[(int)r] > 0))
            {
                rejected[reason.ToString()] = _decodeRejects[(int)reason];
            }

            foreach (var reason in Enum.GetValues<PeerCheck>().Where(r => _peerRejects[(int)r] > 0))
            {
                rejected[reason.ToString()] = _peerRejects[(int)reason];
            }

            return new FailoverSnapshot(State, EffectivePriority, _healthy, _lastAdvert?.NodeId, _lastAdvert?.At,
                _transitions, _dualMasterEvents, rejected, _peerConfigHash is { } h && h != _options.ConfigHash, _peerConfigHash,
                _sentGaps.Longest, _heardGaps.Longest);
        }
    }

    private IReadOnlyList<FailoverAction> Run(Action decide)
    {
        lock (_lock)
        {
            _actions.Clear();
            decide();
            return _actions.ToArray();
        }
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);
}

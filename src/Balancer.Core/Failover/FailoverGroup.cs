namespace Balancer.Core.Failover;

/// <summary>
/// The RFC 5798 §6.4 state machine of one group of virtual IPs: its state, the one transition function and the entry
/// actions of each state. What a backup and a master do with adverts and timers lives in <see cref="BackupRole"/>
/// (§6.4.2) and <see cref="MasterRole"/> (§6.4.3). <see cref="FailoverMachine"/> owns the group, serialises every
/// call and hands it only authenticated, admitted adverts; the group appends the actions it decides to
/// <see cref="Actions"/>.
/// </summary>
internal sealed class FailoverGroup
{
    private readonly AdvertWriter _writer;
    private readonly Func<TimeSpan> _now;
    private readonly GroupPriority _priority;
    private readonly BackupRole _backup;
    private readonly MasterRole _master;
    private readonly WitnessRole _witness;
    private readonly FaultRole _fault;

    public FailoverGroup(string name, FailoverOptions options, AdvertWriter writer, List<FailoverAction> actions, Func<TimeSpan> now)
    {
        Name = name;
        _writer = writer;
        _now = now;
        _priority = new GroupPriority(options);
        Actions = actions;
        MasterAdvertInterval = options.AdvertInterval;
        _backup = new BackupRole(this);
        _master = new MasterRole(this);
        _witness = new WitnessRole(this, writer);
        _fault = new FaultRole(this, _priority);
        LastPeerHeard = now();
    }

    /// <summary>The group's name, carried in its adverts.</summary>
    public string Name { get; }

    public FailoverState State { get; private set; } = FailoverState.Init;

    public FailoverOptions Options => _priority.Options;

    /// <summary>The last value given to <see cref="SetTrackedHealth"/>.</summary>
    public bool Healthy => _priority.Healthy;

    /// <summary>The last value given to <see cref="SetInterfaceUp"/>; true until told otherwise.</summary>
    public bool InterfaceUp => _fault.InterfaceUp;

    /// <summary>The configured priority, lowered by the track weight while unhealthy (floor 1).</summary>
    public int EffectivePriority => _priority.Effective;

    public long Transitions { get; private set; }

    public long DualMasterEvents => _master.DualMasterEvents;

    public TimeSpan LongestAdvertGapSent => _master.LongestGapSent;

    public TimeSpan LongestAdvertGapHeard => _backup.LongestGapHeard;

    /// <summary>The witness's part (#23): its counters and last answer are for <c>/status</c>.</summary>
    public WitnessRole Witness => _witness;

    /// <summary>When the last admitted advert of the peer came (any state), on the machine's clock; the group's start before any.</summary>
    internal TimeSpan LastPeerHeard { get; private set; }

    /// <summary>The earliest timer deadline, on the machine's clock; null when none runs.</summary>
    public TimeSpan? NextDeadline => Timers.Next;

    /// <summary>True while a resigned master holds the virtual IPs waiting for its successor.</summary>
    public bool HandingOver => Timers.HandoverUntil is not null;

    /// <summary>The group's deadlines; a state change clears them.</summary>
    internal VrrpTimers Timers { get; } = new();

    /// <summary>Where the decided actions go, in order.</summary>
    internal List<FailoverAction> Actions { get; }

    /// <summary>RFC 5798 §6.1 Master_Adver_Interval: ours as master, the master's (from its adverts) as backup.</summary>
    internal TimeSpan MasterAdvertInterval { get; set; }

    internal TimeSpan MasterDownInterval => FailoverTimers.MasterDownInterval(EffectivePriority, MasterAdvertInterval);

    internal TimeSpan Now => _now();

    /// <summary>True when <paramref name="packet"/> echoes our current session: its sender has heard us since it began.</summary>
    internal bool HeardBy(in AdvertPacket packet) => packet.Echo == _writer.Epoch;

    /// <summary>The startup event (RFC 5798 §6.4.1): MASTER at priority 255, else BACKUP (FAULT while unhealthy, if so configured).</summary>
    public void Start()
    {
        if (State != FailoverState.Init)
        {
            return;
        }

        if (!InterfaceUp)
        {
            ChangeState(FailoverState.Fault, FailoverEvent.Startup, "the interface is down at startup");
        }
        else if (!Healthy && Options.FaultOnTrackFailure)
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
    }

    /// <summary>Fires the one timer of the current state that is due, if any.</summary>
    public void Tick()
    {
        if (Timers.InterfaceFaultAt <= Now)
        {
            _fault.InterfaceFaultDue();
        }
        else if (Timers.WitnessUntil <= Now)
        {
            _witness.OnTimeout();
        }
        else if (State == FailoverState.Master && !HandingOver && Timers.WitnessAskAt <= Now)
        {
            Timers.WitnessAskAt = null;
            _witness.Ask(); // the peer has been silent for Master_Down_Interval: is this node the one cut off?
        }
        else if (State == FailoverState.Master)
        {
            _master.Tick();
        }
        else if (State == FailoverState.Backup && _backup.Tick())
        {
            return;
        }
        else if (State is FailoverState.Backup or FailoverState.Fault && Timers.AdvertAt <= Now)
        {
            // Not in RFC 5798, where only the master speaks: a backup (or faulty) node advertises its state too, so that
            // the master sees it, its priority and its config (drift is then known to both nodes).
            SendAdvert(EffectivePriority);
            Timers.AdvertAt = Now + Options.AdvertInterval;
        }
    }

    /// <summary>An admitted advert whose state byte is master: only a master advertises (RFC 5798 §6.4.3).</summary>
    public void OnMasterAdvert(in AdvertPacket packet)
    {
        if (State == FailoverState.Master)
        {
            _master.OnAdvert(packet);
        }
        else if (State == FailoverState.Backup)
        {
            _backup.OnAdvert(packet);
        }
    }

    /// <summary>An admitted advert of the peer, whatever its state: a master's silence episode, and its question to the witness, end.</summary>
    public void PeerHeard()
    {
        LastPeerHeard = Now;
        if (State == FailoverState.Master && _witness.Configured && !HandingOver)
        {
            _witness.Reset();
            Timers.WitnessAskAt = Now + MasterDownInterval;
        }
    }

    /// <summary>The witness hears <paramref name="nodeId"/> as master too, and this master outranks it: handled as its advert would be.</summary>
    public void OnRivalPerWitness(string nodeId, byte priority) =>
        _master.OnAdvert(new AdvertPacket(nodeId, FailoverState.Master, priority, MasterAdvertInterval, 0, 0, 0, Name));

    /// <summary>An authentic answer from the witness.</summary>
    public void OnWitnessAnswer(in WitnessMessage answer, DateTimeOffset utcNow) => _witness.OnAnswer(answer, utcNow);

    /// <summary>The shutdown event: a master hands over (<see cref="MasterRole.Shutdown"/>), any other state goes to INIT at once.</summary>
    public void Shutdown()
    {
        if (State == FailoverState.Master)
        {
            _master.Shutdown();
        }
        else if (State != FailoverState.Init)
        {
            ChangeState(FailoverState.Init, FailoverEvent.Shutdown, "shutting down");
        }
    }

    /// <inheritdoc cref="FaultRole.SetTrackedHealth"/>
    public void SetTrackedHealth(bool healthy) => _fault.SetTrackedHealth(healthy);

    /// <inheritdoc cref="FaultRole.SetInterfaceUp"/>
    public void SetInterfaceUp(bool up, string device) => _fault.SetInterfaceUp(up, device);

    /// <summary>
    /// Sends this state's advert now, out of turn: the peer just started a new session, and hearing us at once lets its
    /// next advert echo our epoch and so prove itself fresh (<see cref="PeerReplayGuard"/>).
    /// </summary>
    public void AdvertiseNow()
    {
        if (State is FailoverState.Backup or FailoverState.Fault || (State == FailoverState.Master && !HandingOver))
        {
            SendAdvert(EffectivePriority);
            Timers.AdvertAt = Now + Options.AdvertInterval;
        }
    }

    /// <summary>Takes options that passed <see cref="FailoverMachine.ReconfigureProblems"/>; a changed priority is advertised at once.</summary>
    public void Reconfigure(FailoverOptions next)
    {
        if (_priority.Reconfigure(next) is { } changed)
        {
            AnnouncePriority(changed);
        }
    }

    /// <summary>Records the transition once, stops the old state's timers and queues the new state's entry actions (RFC 5798 §6.4).</summary>
    internal void ChangeState(FailoverState next, FailoverEvent @event, string reason)
    {
        var previous = State;
        State = next;
        Transitions++;
        Actions.Add(new FailoverAction.StateChanged(previous, next, @event, reason));
        Timers.Clear();
        _backup.Reset();
        _master.Reset();
        _witness.Reset();
        switch (next)
        {
            case FailoverState.Master:
                // RFC 5798 §6.4.1/§6.4.2: send an ADVERTISEMENT, announce the addresses, start the Adver_Timer.
                MasterAdvertInterval = Options.AdvertInterval;
                SendAdvert(EffectivePriority);
                Actions.Add(new FailoverAction.AddVips());
                Actions.Add(new FailoverAction.SendGratuitousArp(Takeover: true));
                Timers.AdvertAt = Now + Options.AdvertInterval;
                Timers.WitnessAskAt = _witness.Configured ? Now + MasterDownInterval : null;
                break;
            case FailoverState.Backup:
                // RFC 5798 §6.4.1/§6.4.3: set the Master_Down_Timer to Master_Down_Interval.
                Timers.MasterDownAt = Now + MasterDownInterval;
                break;
        }

        if (next is FailoverState.Backup or FailoverState.Fault)
        {
            SendAdvert(EffectivePriority); // our state, at once: the master learns of us now, not an interval later
            Timers.AdvertAt = Now + Options.AdvertInterval;
        }

        // keepalived removes its addresses on entering BACKUP or FAULT: a node that crashed as master and restarted
        // must not keep answering ARP for them beside the new master. Any state but MASTER owns none.
        if (next != FailoverState.Master)
        {
            Actions.Add(new FailoverAction.RemoveVips(next, Held: previous == FailoverState.Master));
        }

        Actions.Add(new FailoverAction.RunNotifyHook(next));
    }

    /// <summary>This node just took over from <paramref name="nodeId"/>: its resign is expected, not a dual master.</summary>
    internal void ExpectResignFrom(string? nodeId) => _master.ExpectResignFrom(nodeId);

    internal void SendAdvert(int priority)
    {
        if (State == FailoverState.Master && priority > 0)
        {
            _master.SentAdvert();
        }

        Actions.Add(_writer.Write(Options, Name, State, priority));
    }

    /// <summary>A new effective priority: said, and advertised at once by a master, so that a preempting peer takes over.</summary>
    internal void AnnouncePriority(FailoverAction.PriorityChanged changed)
    {
        Actions.Add(changed);
        if (State == FailoverState.Master && !HandingOver)
        {
            SendAdvert(EffectivePriority);
            Timers.AdvertAt = Now + Options.AdvertInterval;
        }
    }
}

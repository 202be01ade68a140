namespace Balancer.Core.Failover;

/// <summary>What made a <see cref="FailoverMachine"/> change state; logged with every transition.</summary>
public enum FailoverEvent
{
    /// <summary>The machine was started (RFC 5798 §6.4.1 "Startup event").</summary>
    Startup,

    /// <summary>No master advert for Master_Down_Interval (RFC 5798 §6.4.2).</summary>
    MasterDownTimerExpired,

    /// <summary>A backup heard a lower-priority master and preempts it (RFC 5798 §6.4.2, Preempt_Mode).</summary>
    LowerPriorityAdvert,

    /// <summary>A master heard a master that outranks it, by priority or by the node-id tie-break (RFC 5798 §6.4.3).</summary>
    HigherPriorityAdvert,

    /// <summary>The preempt delay after first hearing a lower-priority master ran out.</summary>
    PreemptDelayExpired,

    /// <summary>The machine was shut down (RFC 5798 §6.4.3 "Shutdown event").</summary>
    Shutdown,

    /// <summary>The tracked health turned bad and the node is configured to go to FAULT.</summary>
    TrackFailed,

    /// <summary>The tracked health recovered; a FAULT node returns to BACKUP.</summary>
    TrackRecovered,

    /// <summary>A master heard neither its peer nor the witness and, the witness being required, released the virtual IPs (#23).</summary>
    Isolated,

    /// <summary>A master whose peer is silent heard from the witness of another live master that outranks it, and yielded (#23).</summary>
    OutrankedPerWitness,

    /// <summary>The interface the virtual IPs live on went down (keepalived's FAULT on its VRRP interface): no group can serve them.</summary>
    InterfaceDown,

    /// <summary>The interface came back; a FAULT node returns to BACKUP (unless its tracked health keeps it in FAULT).</summary>
    InterfaceUp,
}

namespace Balancer.Core.Failover;

/// <summary>
/// The shutdown event with a hand-over: a master resigns (RFC 5798 §6.4.3) but keeps the virtual IPs, and so keeps
/// serving, until its successor has advertised twice — by then the successor holds the addresses and has announced
/// them, so clients move without a gap — or until <see cref="HandoverTimeout"/> when no peer takes over.
/// </summary>
public sealed partial class FailoverMachine
{
    private TimeSpan? _handoverUntil; // set while a resigned master waits for its successor
    private int _successorAdverts;

    /// <summary>True while a resigned master holds the virtual IPs waiting for its successor.</summary>
    public bool HandingOver
    {
        get
        {
            lock (_lock)
            {
                return _handoverUntil is not null;
            }
        }
    }

    /// <summary>
    /// How long a resigned master waits for its successor: a backup takes over Skew_Time (under one interval) after
    /// the resign, and its second advert follows one interval later; one more interval covers scheduling delays.
    /// </summary>
    public static TimeSpan HandoverTimeout(TimeSpan advertInterval) => 3 * advertInterval;

    /// <summary>
    /// The shutdown event. A master sends a priority-0 advert at once, so a backup takes over after Skew_Time, and
    /// stops advertising; it leaves MASTER (removing the virtual IPs) when its successor has advertised twice, or
    /// after <see cref="HandoverTimeout"/>, or at once when called again. Any other state goes to INIT at once.
    /// </summary>
    public IReadOnlyList<FailoverAction> Shutdown() => Run(() =>
    {
        if (State == FailoverState.Master && _handoverUntil is null)
        {
            SendAdvert(0);
            _advertAt = _preemptAt = null;
            _handoverUntil = Now + HandoverTimeout(_options.AdvertInterval);
            _successorAdverts = 0;
        }
        else if (State != FailoverState.Init)
        {
            ChangeState(FailoverState.Init, FailoverEvent.Shutdown, State == FailoverState.Master ? "shutting down without waiting for a successor" : "shutting down");
        }
    });

    /// <summary>A master advert heard while handing over: count the successor's adverts, ignore other resigns.</summary>
    private void OnAdvertWhileHandingOver(in AdvertPacket packet)
    {
        if (packet.Priority > 0 && ++_successorAdverts >= 2)
        {
            ChangeState(FailoverState.Init, FailoverEvent.Shutdown, $"handed over to {packet.NodeId}");
        }
    }
}

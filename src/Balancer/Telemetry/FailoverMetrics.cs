using System.Diagnostics.Metrics;
using Balancer.Core.Failover;

namespace Balancer.Telemetry;

/// <summary>The failover node's instruments, observed from the same <see cref="FailoverSnapshot"/> that <c>/status</c> shows.</summary>
internal static class FailoverMetrics
{
    /// <summary>Registers the instruments on <paramref name="meter"/>; they measure nothing while <paramref name="failover"/> gives null.</summary>
    public static void Register(Meter meter, Func<FailoverSnapshot?> failover)
    {
        meter.CreateObservableGauge("balancer.failover.state", () => State(failover()), "{state}",
            "1 for the state this node is in (master, backup, fault, init), by group (default in the single-group form).");
        meter.CreateObservableGauge("balancer.failover.priority", () => Priority(failover()), "{priority}", "Priority advertised now, after tracking, by group.");
        meter.CreateObservableCounter("balancer.failover.transitions", () => One(failover(), f => f.Transitions), "{transition}", "Failover state changes.");
        meter.CreateObservableCounter("balancer.failover.rejected_packets", () => Rejected(failover()), "{packet}", "Peer datagrams dropped, by reason.");
        meter.CreateObservableCounter("balancer.failover.adverts.sent", () => One(failover(), f => f.AdvertsSent), "{advert}", "Adverts this node sent.");
        meter.CreateObservableCounter("balancer.failover.adverts.accepted", () => One(failover(), f => f.AdvertsAccepted), "{advert}", "Adverts accepted from the peer.");
        meter.CreateObservableGauge("balancer.failover.path.up", () => Paths(failover()), "{path}",
            "1 while a heartbeat path to a peer brings adverts (or none does: the peer is silent), 0 while it is silent and another works; by peer and address.");
        meter.CreateObservableGauge("balancer.failover.witness.reachable", () => One(failover(), f => f.Witness is { Reachable: { } r } ? (r ? 1 : 0) : -1).Where(_ => failover()?.Witness is not null),
            "{bool}", "1 when the witness answered the last query, 0 when it timed out, -1 before any query.");
        meter.CreateObservableCounter("balancer.failover.witness.queries", () => WitnessQueries(failover()), "{query}", "Queries to the witness, by result (answered, timed_out, refused answers).");
        meter.CreateObservableGauge("balancer.failover.peer.key_slot", () => PeerKey(failover()), "{line}",
            "Line of this node's key file holding the key the peer signs with (1 or 2; 0 when none), by the key's id.");
    }

    private static IEnumerable<Measurement<T>> One<T>(FailoverSnapshot? snapshot, Func<FailoverSnapshot, T> value)
        where T : struct => snapshot is null ? [] : [new Measurement<T>(value(snapshot))];

    private static IEnumerable<Measurement<int>> State(FailoverSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            yield break;
        }

        foreach (var group in snapshot.Groups)
        {
            foreach (var state in Enum.GetValues<FailoverState>())
            {
                yield return new Measurement<int>(state == group.State ? 1 : 0, new("state", state.ToString().ToLowerInvariant()), new("group", group.Name));
            }
        }
    }

    private static IEnumerable<Measurement<int>> Priority(FailoverSnapshot? snapshot) =>
        snapshot is null ? [] : snapshot.Groups.Select(g => new Measurement<int>(g.EffectivePriority, new KeyValuePair<string, object?>("group", g.Name)));

    /// <summary>Every reason a peer datagram can be dropped for, at 0 until it happens.</summary>
    private static IEnumerable<Measurement<long>> Rejected(FailoverSnapshot? snapshot)
    {
        if (snapshot is null)
        {
            yield break;
        }

        var reasons = Enum.GetNames<DecodeError>().Where(r => r != nameof(DecodeError.None))
            .Concat(Enum.GetNames<PeerCheck>().Where(r => r is not nameof(PeerCheck.Accepted) and not nameof(PeerCheck.OtherPath)));
        foreach (var reason in reasons)
        {
            yield return new Measurement<long>(snapshot.RejectedPackets.GetValueOrDefault(reason), new KeyValuePair<string, object?>("reason", reason));
        }
    }

    private static IEnumerable<Measurement<int>> Paths(FailoverSnapshot? snapshot) =>
        snapshot is null ? [] : snapshot.Paths.Select(p => new Measurement<int>(p.Silent ? 0 : 1, new("peer", p.PeerNodeId ?? ""), new("address", p.Address)));

    private static IEnumerable<Measurement<long>> WitnessQueries(FailoverSnapshot? snapshot) =>
        snapshot?.Witness is not { } w ? [] :
        [new(w.Answered, new KeyValuePair<string, object?>("result", "answered")), new(w.TimedOut, new KeyValuePair<string, object?>("result", "timed_out")),
         new(w.Refused, new KeyValuePair<string, object?>("result", "refused"))];

    private static IEnumerable<Measurement<int>> PeerKey(FailoverSnapshot? snapshot) =>
        snapshot?.PeerKeyId is { } id
            ? [new Measurement<int>(snapshot.PeerKeySlot ?? 0, new("peer", snapshot.LastAdvertFrom), new("key_id", FailoverKeyRing.Format(id)))]
            : [];
}

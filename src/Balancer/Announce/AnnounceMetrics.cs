using System.Diagnostics.Metrics;
using Balancer.Admin;
using Balancer.Core.Announce;

namespace Balancer.Announce;

/// <summary>The announcement's instruments on the <c>Balancer</c> meter: its state, transitions, the last check, failed address changes.</summary>
internal static class AnnounceMetrics
{
    /// <summary>Adds the instruments to <paramref name="meter"/>; they read <paramref name="announce"/> at each collection (nothing while it is null).</summary>
    public static void Observe(Meter meter, Func<AnnounceService?> announce)
    {
        meter.CreateObservableGauge("balancer.announce.state", () => States(announce()), "{state}", "1 for the announcement state this node is in (announced, withdrawn, stopping).");
        meter.CreateObservableCounter<long>("balancer.announce.transitions", () => announce() is { } a ? [new Measurement<long>(a.Snapshot.Transitions)] : [], "{transition}", "Announcement state changes.");
        meter.CreateObservableGauge<int>("balancer.announce.healthy", () => announce()?.Snapshot.LastCheck is { } check ? [new Measurement<int>(check.Healthy ? 1 : 0)] : [], "{check}", "1 when the last check found the node fit to announce.");
        meter.CreateObservableCounter<long>("balancer.announce.address_failures", () => announce() is { } a ? [new Measurement<long>(a.Interface.Failures)] : [], "{change}", "Changes of an announced address or its local route that the kernel refused.");
    }

    private static IEnumerable<Measurement<int>> States(AnnounceService? announce)
    {
        if (announce is null)
        {
            yield break;
        }

        var current = announce.Snapshot.State;
        foreach (var state in Enum.GetValues<AnnounceState>())
        {
            yield return new Measurement<int>(state == current ? 1 : 0, new KeyValuePair<string, object?>("state", AnnounceStatusWriter.Name(state)));
        }
    }
}

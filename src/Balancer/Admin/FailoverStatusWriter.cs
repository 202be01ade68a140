using System.Text.Json;
using Balancer.Failover;

namespace Balancer.Admin;

/// <summary>Writes the <c>failover</c> object of <c>GET /status</c>.</summary>
internal static class FailoverStatusWriter
{
    public static void Write(Utf8JsonWriter json, FailoverService? failover, bool configured)
    {
        json.WriteStartObject("failover");
        if (failover is null)
        {
            json.WriteString("state", configured ? "init" : "disabled");
            json.WriteEndObject();
            return;
        }

        var snapshot = failover.Snapshot;
        var config = failover.Config;
        json.WriteString("state", NotifyHooks.Name(snapshot.State));
        json.WriteString("nodeId", config.NodeId);
        json.WriteString("bind", failover.BoundAddress);
        json.WriteString("vipAction", config.VipAction);
        json.WriteNumber("priority", config.Priority);
        json.WriteNumber("effectivePriority", snapshot.EffectivePriority);
        json.WriteBoolean("trackedHealthy", snapshot.TrackedHealthy);
        json.WriteStartObject("peer");
        json.WriteString("nodeId", snapshot.LastAdvertFrom);
        json.WriteString("state", snapshot.PeerState is { } peerState ? NotifyHooks.Name(peerState) : null);
        if (snapshot.PeerPriority is { } peerPriority)
        {
            json.WriteNumber("priority", peerPriority);
        }
        else
        {
            json.WriteNull("priority");
        }

        StatusWriter.WriteTime(json, "lastSeen", snapshot.LastAdvertAt);

        json.WriteString("configHash", snapshot.PeerConfigHash?.ToString("x32", null));
        json.WriteEndObject();
        json.WriteNumber("transitions", snapshot.Transitions);
        json.WriteNumber("dualMasterEvents", snapshot.DualMasterEvents);
        json.WriteBoolean("configDrift", snapshot.ConfigDrift);
        json.WriteStartObject("advertGaps");
        json.WriteNumber("longestSentMs", Math.Round(snapshot.LongestAdvertGapSent.TotalMilliseconds, 1));
        json.WriteNumber("longestHeardMs", Math.Round(snapshot.LongestAdvertGapHeard.TotalMilliseconds, 1));
        json.WriteEndObject();
        json.WriteStartObject("rejectedPackets");
        foreach (var (reason, count) in snapshot.RejectedPackets)
        {
            json.WriteNumber(reason, count);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}

using System.Text.Json;
using Balancer.Core.Failover;
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
        json.WriteNumber("priority", snapshot.Groups.Count > 0 ? snapshot.Groups[0].Priority : config.Priority); // the first group's, as state is
        json.WriteNumber("effectivePriority", snapshot.EffectivePriority);
        json.WriteBoolean("trackedHealthy", snapshot.TrackedHealthy);
        json.WriteStartObject("peer");
        json.WriteString("nodeId", snapshot.LastAdvertFrom);
        json.WriteString("state", snapshot.PeerState is { } peerState ? NotifyHooks.Name(peerState) : null);
        WriteNullable(json, "priority", snapshot.PeerPriority);

        StatusWriter.WriteTime(json, "lastSeen", snapshot.LastAdvertAt);

        json.WriteString("configHash", snapshot.PeerConfigHash?.ToString("x32", null));
        json.WriteString("keyId", snapshot.PeerKeyId is { } peerKey ? FailoverKeyRing.Format(peerKey) : null);
        WriteNullable(json, "keySlot", snapshot.PeerKeySlot);
        if (snapshot.PeerSequence is { } sequence)
        {
            json.WriteNumber("sequence", sequence);
        }
        else
        {
            json.WriteNull("sequence");
        }

        WriteNullable(json, "protocolVersion", snapshot.PeerProtocolVersion);
        json.WriteEndObject();
        WritePaths(json, snapshot.Paths);
        WriteGroups(json, snapshot.Groups, config);
        WriteWitness(json, snapshot.Witness);
        json.WriteStartObject("keys");
        json.WriteString("signing", FailoverKeyRing.Format(snapshot.SigningKeyId));
        json.WriteStartArray("verifying");
        foreach (var id in snapshot.KeyIds)
        {
            json.WriteStringValue(FailoverKeyRing.Format(id));
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteNumber("advertsSent", snapshot.AdvertsSent);
        json.WriteNumber("advertsAccepted", snapshot.AdvertsAccepted);
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
        json.WriteStartObject("rejectedLastFrom");
        foreach (var (reason, source) in snapshot.RejectedLastFrom)
        {
            json.WriteString(reason, source);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Each heartbeat path to each peer: its address, when it last brought an advert, and whether it is silent while another works.</summary>
    private static void WritePaths(Utf8JsonWriter json, IReadOnlyList<HeartbeatPathStatus> paths)
    {
        json.WriteStartArray("paths");
        foreach (var path in paths)
        {
            json.WriteStartObject();
            json.WriteString("peer", path.PeerNodeId);
            json.WriteString("address", path.Address);
            StatusWriter.WriteTime(json, "lastAdvert", path.LastAdvertAt);
            json.WriteBoolean("silent", path.Silent);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// Each group of virtual IPs (#23; the single-group form is one named <c>default</c>): this node's state and priority
    /// in it, its master as this node knows it, the peer's last advert for it, and when one came by each heartbeat path.
    /// </summary>
    private static void WriteGroups(Utf8JsonWriter json, IReadOnlyList<GroupStatus> groups, Core.Configuration.FailoverConfig config)
    {
        json.WriteStartArray("groups");
        foreach (var group in groups)
        {
            json.WriteStartObject();
            json.WriteString("name", group.Name);
            json.WriteString("state", NotifyHooks.Name(group.State));
            json.WriteNumber("priority", group.Priority);
            json.WriteNumber("effectivePriority", group.EffectivePriority);
            json.WriteBoolean("trackedHealthy", group.TrackedHealthy);
            json.WriteString("master", group.Master);
            json.WriteStartArray("virtualIps");
            foreach (var vip in config.EffectiveGroups.FirstOrDefault(g => g.Name == group.Name)?.VirtualIps ?? [])
            {
                json.WriteStringValue(vip);
            }

            json.WriteEndArray();
            json.WriteStartObject("peer");
            json.WriteString("nodeId", group.PeerNodeId);
            json.WriteString("state", group.PeerState is { } peerState ? NotifyHooks.Name(peerState) : null);
            WriteNullable(json, "priority", group.PeerPriority);
            StatusWriter.WriteTime(json, "lastAdvert", group.PeerLastAdvertAt);
            json.WriteEndObject();
            json.WriteStartArray("paths");
            foreach (var path in group.Paths)
            {
                json.WriteStartObject();
                json.WriteString("address", path.Address);
                StatusWriter.WriteTime(json, "lastAdvert", path.LastAdvertAt);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("transitions", group.Transitions);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>The witness: where, whether required, whether it answered last, and what it said; null when none is configured.</summary>
    private static void WriteWitness(Utf8JsonWriter json, WitnessStatus? witness)
    {
        if (witness is null)
        {
            json.WriteNull("witness");
            return;
        }

        json.WriteStartObject("witness");
        json.WriteString("address", witness.Address);
        json.WriteBoolean("required", witness.Required);
        if (witness.Reachable is { } reachable)
        {
            json.WriteBoolean("reachable", reachable);
        }
        else
        {
            json.WriteNull("reachable");
        }

        StatusWriter.WriteTime(json, "lastAnswer", witness.LastAnswerAt);
        json.WriteString("lastAnswerMaster", witness.LastAnswerMaster);
        if (witness.LastAnswerHeardAgo is { } ago)
        {
            json.WriteNumber("lastAnswerHeardAgoMs", Math.Round(ago.TotalMilliseconds, 1));
        }
        else
        {
            json.WriteNull("lastAnswerHeardAgoMs");
        }

        json.WriteNumber("asked", witness.Asked);
        json.WriteNumber("answered", witness.Answered);
        json.WriteNumber("timedOut", witness.TimedOut);
        json.WriteNumber("refused", witness.Refused);
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

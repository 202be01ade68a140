using System.Text.Json;
using Balancer.Admin.Timeline;

namespace Balancer.Admin.Panels;

/// <summary>
/// The answer to one dashboard poll: the new samples of every pool and <c>tcp</c> listener, one page of each pool's
/// backends, the series of the backends the page draws, the new events, and the header, cluster, routes and config
/// panels. Its size depends on the page sizes and the backends drawn, not on how many backends there are.
/// </summary>
internal static class PollWriter
{
    /// <summary>Events sent at most per poll (the first poll gets the latest ones).</summary>
    public const int MaxEvents = 500;

    public static void Write(Utf8JsonWriter json, PollQuery query, AdminServices services)
    {
        var state = services.State;
        var history = state.History;
        var count = history.Count;
        // A client ahead of us polled a balancer that has restarted since: it gets everything again.
        var since = query.Since > count ? 0 : query.Since;
        var first = Math.Max(since, history.FirstReadable(count));
        json.WriteStartObject();
        json.WriteString("startedAt", state.StartedAt);
        json.WriteNumber("now", services.Time.GetUtcNow().ToUnixTimeMilliseconds());
        json.WriteNumber("count", count);
        json.WriteNumber("first", first);
        json.WriteNumber("capacity", history.Capacity);
        json.WriteStartArray("times");
        for (var s = first; s < count; s++)
        {
            json.WriteNumberValue(history.TimeAt(s));
        }

        json.WriteEndArray();
        WriteNode(json, services);
        WriteConfig(json, services);
        FailoverStatusWriter.Write(json, state.Failover, state.Config.Failover is not null);
        AnnounceStatusWriter.Write(json, state.Announce, state.Config.Announce is not null);
        ListenersWriter.Write(json, services, first, count);
        PoolsWriter.Write(json, query, services, first, count);
        WriteEvents(json, state.Timeline, query.Events > state.Timeline.LastSequence ? 0 : query.Events);
        json.WriteEndObject();
    }

    private static void WriteNode(Utf8JsonWriter json, AdminServices services)
    {
        var state = services.State;
        json.WriteStartObject("node");
        json.WriteString("version", typeof(PollWriter).Assembly.GetName().Version?.ToString(3));
        json.WriteString("nodeId", state.Failover?.Config.NodeId);
        json.WriteString("host", Environment.MachineName);
        json.WriteNumber("uptimeSeconds", Math.Round((services.Time.GetUtcNow() - state.StartedAt).TotalSeconds));
        json.WriteEndObject();
    }

    private static void WriteConfig(Utf8JsonWriter json, AdminServices services)
    {
        var state = services.State;
        json.WriteStartObject("config");
        json.WriteString("path", state.ConfigPath);
        json.WriteString("hash", state.ConfigHash);
        StatusWriter.WriteTime(json, "loadedAt", state.LoadedAt);
        json.WriteString("lastError", state.LastError);
        StatusWriter.WriteTime(json, "lastErrorAt", state.LastErrorAt);
        StatusWriter.WriteTime(json, "rejectedAt", state.LastRejected?.At);
        json.WriteNumber("reloadsApplied", state.ReloadsApplied);
        json.WriteNumber("reloadsRejected", state.ReloadsRejected);
        json.WriteString("auditLog", state.Timeline.Audit?.Target);
        json.WriteEndObject();
    }

    private static void WriteEvents(Utf8JsonWriter json, EventTimeline timeline, long after)
    {
        json.WriteNumber("eventSequence", timeline.LastSequence);
        json.WriteStartArray("events");
        foreach (var e in timeline.Since(after, MaxEvents))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", e.Sequence);
            json.WriteNumber("time", e.Time.ToUnixTimeMilliseconds());
            json.WriteString("severity", e.Severity.ToString().ToLowerInvariant());
            TimelineJson.WriteFields(json, e);
            json.WriteString("token", e.Actor.TokenFingerprint);
            json.WriteBoolean("audited", e.Audited);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}

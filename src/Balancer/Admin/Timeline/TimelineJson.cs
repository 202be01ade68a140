using System.Text.Json;

namespace Balancer.Admin.Timeline;

/// <summary>The fields of a <see cref="TimelineEvent"/> that the audit log and the dashboard both write.</summary>
internal static class TimelineJson
{
    public static void WriteFields(Utf8JsonWriter json, TimelineEvent e)
    {
        json.WriteString("kind", e.Kind.ToString().ToLowerInvariant());
        json.WriteString("action", e.Action);
        json.WriteString("target", e.Target);
        json.WriteString("result", e.Result);
        json.WriteString("detail", e.Detail);
        json.WriteString("via", e.Actor.Via);
        json.WriteString("client", e.Actor.Client);
    }
}

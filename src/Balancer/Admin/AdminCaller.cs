using Balancer.Admin.Timeline;

namespace Balancer.Admin;

/// <summary>Who an admin call came from, as the timeline and the audit log name it: its address and token fingerprint.</summary>
internal static class AdminCaller
{
    private static readonly object s_key = new();

    /// <summary>Remembers the caller of an authorized call; <paramref name="fingerprint"/> is null when tokens are off.</summary>
    public static void Set(HttpContext context, string? fingerprint) =>
        context.Items[s_key] = new TimelineActor("admin API", context.Connection.RemoteIpAddress?.ToString(), fingerprint);

    /// <summary>The caller of <paramref name="context"/>.</summary>
    public static TimelineActor Of(HttpContext context) =>
        context.Items.TryGetValue(s_key, out var actor) && actor is TimelineActor known ? known : new TimelineActor("admin API", context.Connection.RemoteIpAddress?.ToString());
}

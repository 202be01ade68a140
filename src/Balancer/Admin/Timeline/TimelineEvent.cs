namespace Balancer.Admin.Timeline;

/// <summary>What an event is about; the dashboard colours and filters by it.</summary>
internal enum TimelineKind
{
    /// <summary>A backend went up or down (with the reason), or a pool entered or left panic mode.</summary>
    Health,

    /// <summary>A config reload: applied, unchanged or rejected; also start and stop.</summary>
    Reload,

    /// <summary>An admin API action: drain, enable, weight, reload.</summary>
    Admin,

    /// <summary>A failover state transition of a group.</summary>
    Failover,

    /// <summary>An ECMP announcement started or withdrawn.</summary>
    Announce,

    /// <summary>A certificate renewed, or a renewal rejected.</summary>
    Certificate,
}

/// <summary>How much an event matters.</summary>
internal enum TimelineSeverity
{
    /// <summary>Routine.</summary>
    Info,

    /// <summary>Worth a look (a backend down, a failover).</summary>
    Warning,

    /// <summary>Something was refused or failed.</summary>
    Error,
}

/// <summary>Who asked for a change: the admin API's caller, or what else triggered it.</summary>
/// <param name="Via">How it came: <c>admin API</c>, <c>file change</c>, <c>SIGHUP</c>.</param>
/// <param name="Client">The admin API client's address; null for other triggers.</param>
/// <param name="TokenFingerprint">The first 16 hex digits of the SHA-256 of the bearer token presented, when tokens are on.</param>
internal sealed record TimelineActor(string Via, string? Client = null, string? TokenFingerprint = null)
{
    /// <summary>The config file watcher.</summary>
    public static readonly TimelineActor FileChange = new("file change");

    /// <summary>SIGHUP (<c>systemctl reload</c>).</summary>
    public static readonly TimelineActor Signal = new("SIGHUP");

    /// <summary>Balancer itself (health checks, failover, start-up).</summary>
    public static readonly TimelineActor Balancer = new("balancer");

    /// <inheritdoc/>
    public override string ToString() =>
        Client is null ? Via : TokenFingerprint is null ? $"{Via} from {Client}" : $"{Via} from {Client} (token {TokenFingerprint})";
}

/// <summary>
/// One thing that happened, for the dashboard's timeline and, for the kinds that change what runs, the audit log.
/// The fields are the audit line's: <paramref name="Action"/> on <paramref name="Target"/> gave <paramref name="Result"/>.
/// </summary>
/// <param name="Sequence">Numbers events in the order recorded, from 1.</param>
/// <param name="Time">When it happened.</param>
/// <param name="Kind">What it is about.</param>
/// <param name="Severity">How much it matters.</param>
/// <param name="Action">What was done: <c>health</c>, <c>reload</c>, <c>drain</c>, <c>weight</c>, <c>failover</c>…</param>
/// <param name="Target">What it was done to: <c>web http://10.0.0.5:8080</c>, a config path, a failover group.</param>
/// <param name="Result">How it ended: <c>down</c>, <c>applied</c>, <c>rejected</c>, <c>master</c>, <c>ok</c>, <c>unchanged</c>…</param>
/// <param name="Detail">The reason or the changes, one line or a few; null when there is nothing more.</param>
/// <param name="Actor">Who or what asked for it.</param>
internal sealed record TimelineEvent(
    long Sequence, DateTimeOffset Time, TimelineKind Kind, TimelineSeverity Severity, string Action, string Target, string Result, string? Detail, TimelineActor Actor)
{
    /// <summary>Admin actions, reloads, failover transitions and announcements go to the audit log.</summary>
    public bool Audited => Kind is TimelineKind.Admin or TimelineKind.Reload or TimelineKind.Failover or TimelineKind.Announce;
}

using Balancer.Core.Failover;
using Balancer.Core.Health;
using Balancer.Core.Model;

namespace Balancer.Admin.Timeline;

/// <summary>
/// The one place every event source reports to — health, reloads, admin actions, failover, announcements,
/// certificates — for the dashboard's timeline (the last <see cref="Capacity"/> events, in memory) and the audit log
/// (<c>admin.auditLog</c>). Recording is one short lock and never waits on I/O: the audit line is queued for a
/// background writer, so a failover transition can report from its critical path. Reach it as
/// <c>RuntimeState.Timeline</c>; a new source needs one line: <c>timeline.Record(kind, action, target, result, detail)</c>.
/// </summary>
internal sealed class EventTimeline(TimeProvider time, int capacity = EventTimeline.DefaultCapacity) : IAsyncDisposable
{
    /// <summary>Events kept for the dashboard (the audit log keeps them all).</summary>
    public const int DefaultCapacity = 2000;

    private readonly object _lock = new();
    private readonly TimelineEvent?[] _events = new TimelineEvent?[capacity];
    private long _sequence;
    private AuditLog? _audit;

    public int Capacity => _events.Length;

    /// <summary>The sequence number of the last event recorded; 0 before the first.</summary>
    public long LastSequence => Interlocked.Read(ref _sequence);

    /// <summary>The audit log audited events also go to; null when <c>admin.auditLog</c> is not set.</summary>
    public AuditLog? Audit => Volatile.Read(ref _audit);

    /// <summary>Records one event; returns it.</summary>
    public TimelineEvent Record(
        TimelineKind kind, string action, string target, string result, string? detail = null, TimelineSeverity severity = TimelineSeverity.Info, TimelineActor? actor = null)
    {
        TimelineEvent recorded;
        lock (_lock)
        {
            recorded = new TimelineEvent(_sequence + 1, time.GetUtcNow(), kind, severity, action, target, result, detail, actor ?? TimelineActor.Balancer);
            _events[recorded.Sequence % _events.Length] = recorded;
            Interlocked.Exchange(ref _sequence, recorded.Sequence);
        }

        if (recorded.Audited)
        {
            Audit?.Write(recorded);
        }

        return recorded;
    }

    /// <summary>Up to <paramref name="max"/> of the events after <paramref name="after"/>, oldest first (the newest ones when there are more).</summary>
    public IReadOnlyList<TimelineEvent> Since(long after, int max)
    {
        lock (_lock)
        {
            var first = Math.Max(Math.Max(after + 1, _sequence - _events.Length + 1), _sequence - max + 1);
            var list = new List<TimelineEvent>((int)Math.Max(0, _sequence - first + 1));
            for (var s = Math.Max(1, first); s <= _sequence; s++)
            {
                list.Add(_events[s % _events.Length]!);
            }

            return list;
        }
    }

    /// <summary>Sends audited events to <paramref name="audit"/> from now on (null: none); returns the one it replaces.</summary>
    public AuditLog? SetAudit(AuditLog? audit) => Interlocked.Exchange(ref _audit, audit);

    /// <summary>A backend went up or down.</summary>
    public void HealthChanged(HealthTransition transition) => Record(
        TimelineKind.Health, "health", $"{transition.Backend.Pool} {transition.Backend.Address}", transition.To == BackendHealth.Up ? "up" : "down",
        transition.Reason, transition.To == BackendHealth.Up ? TimelineSeverity.Info : TimelineSeverity.Warning);

    /// <summary>A pool entered or left panic mode.</summary>
    public void PanicChanged(Pool pool, bool panic) => Record(
        TimelineKind.Health, "panic", $"pool {pool.Name}", panic ? "entered" : "left",
        panic ? $"{pool.Snapshot.All.Count(b => b.Health == BackendHealth.Up)} of {pool.Snapshot.All.Length} backends healthy, sending traffic to all of them" : null,
        panic ? TimelineSeverity.Error : TimelineSeverity.Info);

    /// <summary>A failover group changed state (<paramref name="group"/> names it: the node id for the single-group form).</summary>
    public void FailoverChanged(string group, FailoverState from, FailoverState to, FailoverEvent @event, string reason) => Record(
        TimelineKind.Failover, "failover", group, to.ToString().ToLowerInvariant(), $"{from} → {to} on {@event}: {reason}",
        to == FailoverState.Fault ? TimelineSeverity.Error : TimelineSeverity.Warning);

    /// <summary>An address announced for ECMP, or withdrawn.</summary>
    public void AnnouncementChanged(string address, bool announced, string reason) => Record(
        TimelineKind.Announce, "announce", address, announced ? "announced" : "withdrawn", reason, announced ? TimelineSeverity.Info : TimelineSeverity.Warning);

    public async ValueTask DisposeAsync()
    {
        if (SetAudit(null) is { } audit)
        {
            await audit.DisposeAsync();
        }
    }
}

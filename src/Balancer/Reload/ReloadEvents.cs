using Balancer.Admin.Timeline;
using Balancer.Core.Model;
using Balancer.Core.Reload;

namespace Balancer.Reload;

/// <summary>What a reload tells the timeline and the audit log: its outcome, who asked, and the runtime weights it ended.</summary>
internal static class ReloadEvents
{
    /// <summary>Who asked for a reload: the admin API's caller, SIGHUP or the file watcher.</summary>
    public static TimelineActor Actor(ReloadTrigger trigger, TimelineActor? caller) => trigger switch
    {
        ReloadTrigger.FileChange => TimelineActor.FileChange,
        ReloadTrigger.Signal => TimelineActor.Signal,
        _ => caller ?? new TimelineActor("admin API"),
    };

    public static void Applied(EventTimeline timeline, string path, string hash, IReadOnlyList<ConfigChange> changes, TimelineActor actor) => timeline.Record(
        TimelineKind.Reload, "reload", path, changes.Count == 0 ? "unchanged" : "applied",
        $"sha256 {ConfigReloader.Short(hash)}: {ConfigDiff.Summarize(changes)}", TimelineSeverity.Info, actor);

    public static void Rejected(EventTimeline timeline, string path, IReadOnlyList<string> errors, TimelineActor actor) => timeline.Record(
        TimelineKind.Reload, "reload", path, "rejected", string.Join(Environment.NewLine, errors), TimelineSeverity.Error, actor);

    /// <summary>The backends that have a runtime weight now.</summary>
    public static List<(BackendState Backend, int Weight)> Overrides(PoolRegistry pools) =>
        [.. from pool in pools.Pools.Values from b in pool.Snapshot.All where b.WeightOverride is not null select (b, b.WeightOverride!.Value)];

    /// <summary>Records each runtime weight of <paramref name="before"/> that the reload ended (it changed the backend's weight, or removed it).</summary>
    public static void OverridesEnded(EventTimeline timeline, List<(BackendState Backend, int Weight)> before, TimelineActor actor)
    {
        foreach (var (backend, weight) in before.Where(o => o.Backend.WeightOverride is null))
        {
            var why = backend.Removed ? "the reload removed the backend" : $"the reload set its weight to {backend.ConfiguredWeight}";
            timeline.Record(TimelineKind.Reload, "weight", $"{backend.Pool} {backend.Address}", "override ended", $"runtime weight {weight} ended: {why}", TimelineSeverity.Info, actor);
        }
    }
}

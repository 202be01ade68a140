namespace Balancer.Failover;

/// <summary>
/// The runtime's GC pause total and collection counts at one moment: the difference between two says how much of a
/// late advert the GC suspended the process, and in which generations (a blocking gen2 on a starved host is the
/// usual long one: docs/failover.md, GC).
/// </summary>
internal readonly record struct GcMark(TimeSpan Paused, int Gen0, int Gen1, int Gen2)
{
    public static GcMark Now() => new(GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    /// <summary>The stall line's GC clause since <paramref name="earlier"/>, e.g. "; the GC paused the process 268 ms meanwhile (1 gen2 collection)".</summary>
    public string Since(GcMark earlier)
    {
        // CollectionCount(n) counts every collection of generation n or older: a gen2 collection counts in all three.
        var gen2 = Gen2 - earlier.Gen2;
        var gen1 = Gen1 - earlier.Gen1 - gen2;
        var gen0 = Gen0 - earlier.Gen0 - gen2 - gen1;
        var kinds = string.Join(", ", new[] { (gen0, "gen0"), (gen1, "gen1"), (gen2, "gen2") }
            .Where(k => k.Item1 > 0).Select(k => $"{k.Item1} {k.Item2} collection{(k.Item1 == 1 ? "" : "s")}"));
        return $"; the GC paused the process {(Paused - earlier.Paused).TotalMilliseconds:0} ms meanwhile{(kinds.Length > 0 ? $" ({kinds})" : "")}";
    }
}

using System.Text.Json;
using Balancer.Core.History;
using Balancer.Core.Model;

namespace Balancer.Admin.Panels;

/// <summary>
/// Each pool's summary, series, chart and page of backends, then the series of the backends drawn: the chart's (every
/// backend of a pool of up to <see cref="ChartLines"/>; for a larger one those not up first, then the busiest) and the
/// ones the client expanded. A backend's series come whole the first time, then only the new samples.
/// </summary>
internal static class PoolsWriter
{
    /// <summary>Lines a pool's chart draws, one per backend.</summary>
    public const int ChartLines = 12;

    public static void Write(Utf8JsonWriter json, PollQuery query, AdminServices services, long first, long count)
    {
        var histories = services.State.History.Pools;
        var drawn = new List<(string Pool, BackendHistory Backend)>();
        json.WriteStartObject("pools");
        foreach (var (name, pool) in services.Pools.Pools.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var history = histories.GetValueOrDefault(name);
            var snapshot = pool.Snapshot;
            json.WriteStartObject(name);
            json.WriteString("algorithm", snapshot.Algorithm.Name);
            json.WriteNumber("size", snapshot.All.Length);
            json.WriteNumber("available", snapshot.Available.Length);
            json.WriteBoolean("panic", snapshot.Panic);
            json.WriteBoolean("probed", pool.Config.Health is { Probe: not "none" });
            if (history is not null)
            {
                SeriesWriter.WriteAll(json, "series", history.Named, first, count);
                var chart = Chart(history);
                json.WriteStartArray("chart");
                foreach (var b in chart)
                {
                    json.WriteStringValue(b.Address);
                    drawn.Add((name, b));
                }

                json.WriteEndArray();
            }

            BackendPageWriter.Write(json, pool, history, query.PageOf(name), count);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        foreach (var key in query.Expand)
        {
            if (PollQuery.SplitKey(key) is var (pool, address) && histories.GetValueOrDefault(pool)?.Backend(address) is { } expanded)
            {
                drawn.Add((pool, expanded));
            }
        }

        WriteBackendSeries(json, drawn.DistinctBy(d => d.Backend).Take(PollQuery.MaxSeries), query, services.State.History, first, count);
    }

    /// <summary>The backends the pool's chart draws, in the pool's order (so each keeps its colour).</summary>
    private static List<BackendHistory> Chart(PoolHistory pool)
    {
        var all = pool.Backends;
        if (all.Count <= ChartLines)
        {
            return [.. all];
        }

        var chosen = all.OrderBy(b => HealthCode.Of(b.Source) == HealthCode.Up ? 1 : 0).ThenByDescending(b => b.Source.Requests).Take(ChartLines).ToHashSet();
        return [.. all.Where(chosen.Contains)];
    }

    private static void WriteBackendSeries(
        Utf8JsonWriter json, IEnumerable<(string Pool, BackendHistory Backend)> drawn, PollQuery query, TrafficHistory history, long first, long count)
    {
        var have = query.Have.ToHashSet(StringComparer.Ordinal);
        json.WriteStartObject("backends");
        foreach (var (pool, backend) in drawn)
        {
            var key = $"{pool}|{backend.Address}";
            var from = have.Contains(key) ? first : history.FirstReadable(count);
            json.WriteStartObject(key);
            json.WriteNumber("first", from);
            foreach (var (name, series) in backend.Named)
            {
                SeriesWriter.Write(json, name, series, from, count);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}

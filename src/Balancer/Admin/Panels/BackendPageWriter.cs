using System.Text.Json;
using Balancer.Core.History;
using Balancer.Core.Model;

namespace Balancer.Admin.Panels;

/// <summary>One page of a pool's backend table: filtered, searched and sorted on the server, so a pool of thousands sends fifty rows.</summary>
internal static class BackendPageWriter
{
    public static void Write(Utf8JsonWriter json, Pool pool, PoolHistory? history, PageQuery page, long count)
    {
        var last = count - 1;
        var first = Math.Max(0, count - 5);
        var rows = pool.Snapshot.All.Where(b => Matches(b, history, page, last, first));
        rows = page.Sort switch
        {
            "requests" => rows.OrderByDescending(b => Value(history, b, h => h.Requests, last, first)),
            "errors" => rows.OrderByDescending(b => Value(history, b, h => h.Errors, last, first)),
            "p99" => rows.OrderByDescending(b => Value(history, b, h => h.P99, last, first)),
            "inflight" => rows.OrderByDescending(b => b.InFlight),
            _ => rows,
        };
        var matched = rows.ToList();
        var offset = Math.Min(page.Offset, Math.Max(0, (matched.Count - 1) / page.Limit * page.Limit));
        var snapshot = pool.Snapshot;
        json.WriteStartObject("page");
        json.WriteNumber("offset", offset);
        json.WriteNumber("limit", page.Limit);
        json.WriteNumber("total", matched.Count);
        json.WriteStartArray("rows");
        foreach (var b in matched.Skip(offset).Take(page.Limit))
        {
            var h = history?.Backend(b.Address);
            var index = Array.IndexOf(snapshot.Available, b);
            json.WriteStartObject();
            json.WriteString("address", b.Address);
            json.WriteString("state", State(b));
            json.WriteString("health", b.Health.ToString().ToLowerInvariant());
            json.WriteString("reason", b.HealthReason);
            StatusWriter.WriteTime(json, "changedAt", b.HealthChangedAt);
            json.WriteNumber("weight", b.Weight);
            json.WriteNumber("configuredWeight", b.ConfiguredWeight);
            if (b.WeightOverride is { } weightOverride)
            {
                json.WriteNumber("weightOverride", weightOverride);
            }
            else
            {
                json.WriteNull("weightOverride");
            }

            json.WriteNumber("effectiveWeight", index < 0 ? 0 : Math.Round(snapshot.Weights[index], 2));
            json.WriteNumber("inflight", b.InFlight);
            json.WriteNumber("requests", b.Requests);
            json.WriteNumber("failures", b.Failures);
            json.WriteNumber("bytesIn", b.BytesIn);
            json.WriteNumber("bytesOut", b.BytesOut);
            WriteLatest(json, "rate", h?.Requests, last, first);
            WriteLatest(json, "errorRate", h?.Errors, last, first);
            WriteLatest(json, "p50", h?.P50, last, first);
            WriteLatest(json, "p99", h?.P99, last, first);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The state a row shows: <c>up</c>, <c>down</c>, <c>unknown</c>, <c>draining</c>, <c>drained</c> or <c>removed</c>.</summary>
    public static string State(BackendState b) =>
        b.Removed ? "removed" : b.Draining ? (b.InFlight == 0 ? "drained" : "draining") : b.Health.ToString().ToLowerInvariant();

    private static bool Matches(BackendState b, PoolHistory? history, PageQuery page, long last, long first)
    {
        if (page.Search.Length > 0 && !b.Address.Contains(page.Search, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return page.Filter switch
        {
            "down" => !b.Draining && !b.Removed && b.Health != BackendHealth.Up,
            "draining" => b.Draining || b.Removed,
            "override" => b.WeightOverride is not null,
            "problems" => b.Draining || b.Removed || b.Health != BackendHealth.Up || b.WeightOverride is not null
                || Value(history, b, h => h.Errors, last, first) > 0,
            _ => true,
        };
    }

    private static double Value(PoolHistory? history, BackendState b, Func<BackendHistory, Series> series, long last, long first) =>
        history?.Backend(b.Address) is { } h && last >= 0 && SeriesWriter.Latest(series(h), last, first) is var v && !float.IsNaN(v) ? v : -1;

    private static void WriteLatest(Utf8JsonWriter json, string name, Series? series, long last, long first)
    {
        json.WritePropertyName(name);
        SeriesWriter.WriteValue(json, series is null || last < 0 ? float.NaN : SeriesWriter.Latest(series, last, first));
    }
}

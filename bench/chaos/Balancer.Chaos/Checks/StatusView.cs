using System.Globalization;
using System.Text.Json;

namespace Balancer.Chaos.Checks;

/// <summary>What one <c>GET /status</c> said about a backend.</summary>
internal sealed record BackendView(string Address, bool Healthy, string HealthReason, DateTimeOffset? HealthChangedAt, bool Draining, bool Removed, long InFlight, long Requests, long Failures, int Weight);

/// <summary>One <c>GET /status</c> (pool <c>web</c>, the config block and failover state), parsed.</summary>
internal sealed record StatusView(string Hash, string? LastError, string Algorithm, IReadOnlyList<BackendView> Backends, string FailoverState, string Raw)
{
    public static StatusView Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var config = root.GetProperty("config");
        var backends = new List<BackendView>();
        var algorithm = "";
        if (root.GetProperty("pools").TryGetProperty("web", out var pool))
        {
            algorithm = pool.GetProperty("algorithm").GetString()!;
            foreach (var b in pool.GetProperty("backends").EnumerateArray())
            {
                var changed = b.GetProperty("healthChangedAt");
                backends.Add(new BackendView(
                    b.GetProperty("address").GetString()!,
                    b.GetProperty("healthy").GetBoolean(),
                    b.GetProperty("healthReason").GetString() ?? "",
                    changed.ValueKind == JsonValueKind.String ? DateTimeOffset.Parse(changed.GetString()!, CultureInfo.InvariantCulture) : null,
                    b.GetProperty("draining").GetBoolean(),
                    b.GetProperty("removed").GetBoolean(),
                    b.GetProperty("inflight").GetInt64(),
                    b.GetProperty("requests").GetInt64(),
                    b.GetProperty("failures").GetInt64(),
                    b.GetProperty("weight").GetInt32()));
            }
        }

        var failover = root.TryGetProperty("failover", out var f) && f.TryGetProperty("state", out var s) ? s.GetString() ?? "" : "";
        return new StatusView(config.GetProperty("hash").GetString() ?? "", config.GetProperty("lastError").GetString(), algorithm, backends, failover, json);
    }

    public BackendView? Find(string address) => Backends.FirstOrDefault(b => b.Address == address);
}

/// <summary>One <c>GET /metrics</c> scrape: the value of a series by name and label fragments.</summary>
internal sealed class MetricsView(string text)
{
    private readonly string[] _lines = text.Split('\n');

    /// <summary>Sum of the series of <paramref name="name"/> whose labels contain every one of <paramref name="labels"/>; null when none.</summary>
    public double? Sum(string name, params string[] labels)
    {
        double? sum = null;
        foreach (var line in _lines)
        {
            if ((line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
                && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            {
                sum = (sum ?? 0) + double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }
}

using System.Text.Json;
using Balancer.Chaos.Load;
using Balancer.Chaos.Steps;

namespace Balancer.Chaos;

/// <summary>The figures of a run: steps by kind with their slowest convergence, requests, failures by kind, resources.</summary>
internal sealed class Report
{
    private readonly Dictionary<string, (int Count, double SlowestMs)> _steps = [];

    public int Seed { get; init; }

    public string Mode { get; init; } = "";

    public void Step(string kind, double convergedMs)
    {
        var (count, slowest) = _steps.GetValueOrDefault(kind);
        _steps[kind] = (count + 1, Math.Max(slowest, convergedMs));
    }

    public int Steps => _steps.Values.Sum(s => s.Count);

    public Dictionary<string, object> Figures { get; } = [];

    /// <summary>Failures grouped by method and what came back (status or error), counted.</summary>
    public static Dictionary<string, int> FailuresByKind(IEnumerable<RequestFailure> failures, Func<RequestFailure, string> classify) =>
        failures.GroupBy(classify).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count());

    public void Print(TextWriter output)
    {
        output.WriteLine($"steps by kind (count, slowest convergence):");
        foreach (var (kind, (count, slowest)) in _steps.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {kind,-18} {count,4}  {slowest,7:0} ms");
        }

        foreach (var (name, value) in Figures)
        {
            output.WriteLine($"{name}: {(value is string s ? s : JsonSerializer.Serialize(value))}");
        }
    }

    /// <summary>Writes the figures as JSON (for docs/benchmarks.md).</summary>
    public void Save(string path)
    {
        var document = new Dictionary<string, object>(Figures)
        {
            ["seed"] = Seed,
            ["mode"] = Mode,
            ["steps"] = Steps,
            ["stepKinds"] = _steps.ToDictionary(s => s.Key, s => new { count = s.Value.Count, slowestMs = Math.Round(s.Value.SlowestMs) }),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    }

    public static string KindOf(ChaosStep step) => step.Kind.ToString();
}

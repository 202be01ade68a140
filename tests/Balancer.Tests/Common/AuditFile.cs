using System.Text.Json;

namespace Balancer.Tests.Common;

/// <summary>Reads an audit log (one JSON object a line) and waits for lines, which a background writer appends.</summary>
public sealed class AuditFile(string path)
{
    public string Path { get; } = path;

    public IReadOnlyList<JsonElement> Lines =>
        File.Exists(Path) ? [.. File.ReadAllLines(Path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())] : [];

    /// <summary>Waits for a line whose <c>action</c> is <paramref name="action"/> and that <paramref name="matches"/>; returns it.</summary>
    public async Task<JsonElement> WaitForAsync(string action, Func<JsonElement, bool>? matches = null)
    {
        JsonElement found = default;
        await Wait.Until(
            () => Lines.Any(l => l.GetProperty("action").GetString() == action && (matches?.Invoke(l) ?? true) && (found = l).ValueKind != JsonValueKind.Undefined),
            TimeSpan.FromSeconds(10),
            $"an audit line for {action} in {Path}: {(File.Exists(Path) ? File.ReadAllText(Path) : "(no file)")}");
        return found;
    }
}

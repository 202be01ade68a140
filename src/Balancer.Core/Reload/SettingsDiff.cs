using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Balancer.Core.Configuration;

namespace Balancer.Core.Reload;

/// <summary>
/// Compares two config records by value, field by field, the way the config file spells them
/// (<c>health.rise 2 → 3</c>, durations as <c>2s</c>, lists as JSON). Records compare lists by reference, so two
/// configs read from the same file would otherwise differ wherever a list is (failover peers, trustedProxies).
/// Every field a record gains is compared without touching this code.
/// </summary>
internal static class SettingsDiff
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, // an unset optional field reads as absent
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // shown to people, never to a browser
        Converters = { new DurationConverter() },
        TypeInfoResolver = ConfigJsonContext.Default, // no reflection: runs under Native AOT
    };

    /// <summary>Each field that differs, in declaration order: its dotted path and both values (<c>none</c> when absent).</summary>
    public static IReadOnlyList<(string Path, string From, string To)> Compare<T>(T? from, T? to)
        where T : class
    {
        var before = Flatten(from);
        var after = Flatten(to);
        var changes = new List<(string, string, string)>();
        foreach (var path in before.Keys.Concat(after.Keys).Distinct(StringComparer.Ordinal))
        {
            var old = before.GetValueOrDefault(path, "none");
            var next = after.GetValueOrDefault(path, "none");
            if (!string.Equals(old, next, StringComparison.Ordinal))
            {
                changes.Add((path, old, next));
            }
        }

        return changes;
    }

    private static Dictionary<string, string> Flatten<T>(T? value)
        where T : class
    {
        var leaves = new Dictionary<string, string>(StringComparer.Ordinal);
        if (value is not null)
        {
            Walk(JsonSerializer.SerializeToNode(value, (JsonTypeInfo<T>)s_options.GetTypeInfo(typeof(T))), "", leaves);
        }

        return leaves;
    }

    private static void Walk(JsonNode? node, string path, Dictionary<string, string> leaves)
    {
        switch (node)
        {
            case null:
                return; // an absent optional block reads as "none"
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    Walk(child, path.Length == 0 ? name : $"{path}.{name}", leaves);
                }

                return;
            case JsonValue leaf when leaf.TryGetValue<string>(out var text):
                leaves[path] = text;
                return;
            default:
                leaves[path] = node.ToJsonString(s_options); // numbers, booleans, and lists as a whole
                return;
        }
    }

    private sealed class DurationConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("config records are only written for comparison");

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Durations.Format(value));
    }
}

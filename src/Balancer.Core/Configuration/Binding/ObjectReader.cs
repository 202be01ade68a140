using System.Globalization;
using Balancer.Core.Configuration.Parsing;

namespace Balancer.Core.Configuration.Binding;

/// <summary>
/// Reads the members of one JSON object into typed values, reporting unknown and duplicate keys once on
/// construction and a wrong type per member; a member with a problem reads as absent, so callers keep defaults.
/// JSON null also reads as absent.
/// </summary>
internal sealed class ObjectReader
{
    private readonly ConfigDiagnostics _diagnostics;
    private readonly Dictionary<string, JsonMember> _members = new(StringComparer.Ordinal);

    /// <param name="known">The field names the object may hold; null for a map whose keys are names (listeners, pools).</param>
    public ObjectReader(ConfigDiagnostics diagnostics, JsonObject node, string path, IReadOnlyCollection<string>? known)
    {
        _diagnostics = diagnostics;
        Node = node;
        Path = path;
        foreach (var member in node.Members)
        {
            var memberPath = ConfigPath.Child(path, member.Key);
            if (known is not null && !known.Contains(member.Key))
            {
                diagnostics.Report(member.KeyOffset, memberPath, $"unknown field '{member.Key}'{NameSuggester.Hint(member.Key, known)}");
            }
            else if (!_members.TryAdd(member.Key, member))
            {
                diagnostics.Report(member.KeyOffset, memberPath, $"duplicate key '{member.Key}'; each key may appear once in an object");
            }
        }
    }

    /// <summary>Where this reader reports: for items its helpers do not cover (an array of mixed kinds).</summary>
    public ConfigDiagnostics Diagnostics => _diagnostics;

    /// <summary>The object read.</summary>
    public JsonObject Node { get; }

    /// <summary>Its JSON path.</summary>
    public string Path { get; }

    /// <summary>The distinct members, first of each key, in file order.</summary>
    public IEnumerable<JsonMember> Members => _members.Values;

    /// <summary>The path of member <paramref name="name"/>.</summary>
    public string PathOf(string name) => ConfigPath.Child(Path, name);

    /// <summary>True when member <paramref name="name"/> is present and not null.</summary>
    public bool Has(string name) => _members.TryGetValue(name, out var m) && m.Value is not JsonNull;

    /// <summary>Reports a problem with member <paramref name="name"/>, or at this object when it is absent.</summary>
    public void Report(string name, string message) =>
        _diagnostics.Report(_members.TryGetValue(name, out var m) ? m.Value.Offset : Node.Offset, PathOf(name), message);

    /// <summary>A member's value of type <typeparamref name="T"/>; a wrong type is reported and reads as null.</summary>
    public T? Get<T>(string name, string expected)
        where T : JsonNode
    {
        if (!_members.TryGetValue(name, out var member) || member.Value is JsonNull)
        {
            return null;
        }

        if (member.Value is T value)
        {
            return value;
        }

        Report(name, $"expected {expected}, got {member.Value.Kind}");
        return null;
    }

    /// <summary>An optional string.</summary>
    public string? String(string name) => Get<JsonString>(name, "a string")?.Value;

    /// <summary>A string that must be present and not empty; reports and returns "" otherwise.</summary>
    public string RequiredString(string name)
    {
        var present = Has(name);
        var value = String(name);
        if (!present || value?.Length == 0)
        {
            Report(name, present ? $"'{name}' must not be empty" : $"missing required field '{name}'");
        }

        return value ?? "";
    }

    /// <summary>An optional whole number.</summary>
    public int? Int(string name)
    {
        var node = Get<JsonNumber>(name, "a whole number");
        if (node is null)
        {
            return null;
        }

        if (int.TryParse(node.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Report(name, $"expected a whole number, got {node.Text}");
        return null;
    }

    /// <summary>An optional number, whole or not.</summary>
    public double? Double(string name)
    {
        var node = Get<JsonNumber>(name, "a number");
        if (node is null)
        {
            return null;
        }

        if (double.TryParse(node.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        Report(name, $"expected a number, got {node.Text}");
        return null;
    }

    /// <summary>An optional boolean.</summary>
    public bool? Bool(string name) => Get<JsonBool>(name, "true or false")?.Value;

    /// <summary>An optional duration string such as <c>"2s"</c>.</summary>
    public TimeSpan? Duration(string name)
    {
        var text = Get<JsonString>(name, "a duration string such as \"2s\"")?.Value;
        if (text is null)
        {
            return null;
        }

        if (DurationParser.TryParse(text, out var value, out var error))
        {
            return value;
        }

        Report(name, error);
        return null;
    }

    /// <summary>An optional string that must be one of <paramref name="allowed"/>.</summary>
    public string? Choice(string name, string what, IReadOnlyCollection<string> allowed)
    {
        var value = String(name);
        if (value is null || allowed.Contains(value))
        {
            return value;
        }

        Report(name, $"unknown {what} '{value}'{NameSuggester.Hint(value, allowed)}");
        return null;
    }

    /// <summary>An optional array of strings; items of another type are reported and skipped.</summary>
    public IReadOnlyList<string>? Strings(string name)
    {
        var array = Get<JsonArray>(name, "an array of strings");
        if (array is null)
        {
            return null;
        }

        var values = new List<string>();
        for (var i = 0; i < array.Items.Count; i++)
        {
            if (array.Items[i] is JsonString s)
            {
                values.Add(s.Value);
            }
            else
            {
                _diagnostics.Report(array.Items[i].Offset, ConfigPath.Item(PathOf(name), i), $"expected a string, got {array.Items[i].Kind}");
            }
        }

        return values;
    }

    /// <summary>An optional object whose members are strings (header name to value), in file order; other values are reported.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? StringMap(string name)
    {
        if (Object(name, known: null) is not { } map)
        {
            return null;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var member in map.Members)
        {
            if (member.Value is JsonString s)
            {
                pairs.Add(new(member.Key, s.Value));
            }
            else
            {
                map.Report(member.Key, $"expected a string, got {member.Value.Kind}");
            }
        }

        return pairs;
    }

    /// <summary>A reader over member <paramref name="name"/> when it is an object.</summary>
    public ObjectReader? Object(string name, IReadOnlyCollection<string>? known) =>
        Get<JsonObject>(name, "an object") is { } node ? new ObjectReader(_diagnostics, node, PathOf(name), known) : null;

    /// <summary>Readers over the items of array member <paramref name="name"/> that are objects; other items are reported.</summary>
    public IReadOnlyList<ObjectReader>? Objects(string name, IReadOnlyCollection<string> known)
    {
        var array = Get<JsonArray>(name, "an array of objects");
        if (array is null)
        {
            return null;
        }

        var readers = new List<ObjectReader>();
        for (var i = 0; i < array.Items.Count; i++)
        {
            var itemPath = ConfigPath.Item(PathOf(name), i);
            if (array.Items[i] is JsonObject item)
            {
                readers.Add(new ObjectReader(_diagnostics, item, itemPath, known));
            }
            else
            {
                _diagnostics.Report(array.Items[i].Offset, itemPath, $"expected an object, got {array.Items[i].Kind}");
            }
        }

        return readers;
    }

    /// <summary>The members of a map object (listeners, pools) whose values are objects; other values are reported.</summary>
    public IReadOnlyList<(string Name, ObjectReader Reader)> Entries(IReadOnlyCollection<string> known)
    {
        var entries = new List<(string, ObjectReader)>();
        foreach (var member in Members)
        {
            if (member.Value is JsonObject item)
            {
                entries.Add((member.Key, new ObjectReader(_diagnostics, item, PathOf(member.Key), known)));
            }
            else
            {
                Report(member.Key, $"expected an object, got {member.Value.Kind}");
            }
        }

        return entries;
    }
}

using Balancer.Core.Configuration.Parsing;

namespace Balancer.Core.Configuration.Binding;

/// <content>Members that are arrays, and maps whose keys are names.</content>
internal sealed partial class ObjectReader
{
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

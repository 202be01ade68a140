using Balancer.Core.Configuration.Parsing;

namespace Balancer.Core.Configuration.Binding;

/// <summary>Where each JSON path starts in the file, so checks made after binding can still point at the node.</summary>
internal sealed class ConfigPositions
{
    private readonly Dictionary<string, long> _offsets = new(StringComparer.Ordinal);

    /// <summary>Records every node under <paramref name="root"/>; of duplicate keys the first wins, as in binding.</summary>
    public static ConfigPositions Index(JsonNode root)
    {
        var positions = new ConfigPositions();
        positions.Add("", root);
        return positions;
    }

    /// <summary>Offset of the node at <paramref name="path"/>, or of its nearest ancestor present in the file.</summary>
    public long Locate(string path)
    {
        for (string? p = path; p is not null; p = ConfigPath.Parent(p))
        {
            if (_offsets.TryGetValue(p, out var offset))
            {
                return offset;
            }
        }

        return 0;
    }

    private void Add(string path, JsonNode node)
    {
        if (!_offsets.TryAdd(path, node.Offset))
        {
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var member in obj.Members)
                {
                    Add(ConfigPath.Child(path, member.Key), member.Value);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Items.Count; i++)
                {
                    Add(ConfigPath.Item(path, i), array.Items[i]);
                }

                break;
        }
    }
}

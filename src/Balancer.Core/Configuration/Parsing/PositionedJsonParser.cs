using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Balancer.Core.Configuration.Parsing;

/// <summary>
/// Parses JSON (comments and trailing commas allowed) into a <see cref="JsonNode"/> tree that keeps byte offsets.
/// JsonDocument would be simpler but forgets where each value was, and every config error must say where.
/// </summary>
internal static partial class PositionedJsonParser
{
    private static readonly JsonReaderOptions s_options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 64,
    };

    /// <summary>Parses <paramref name="source"/>; on bad JSON returns null and a position and message.</summary>
    public static JsonNode? Parse(SourceText source, out SourcePosition errorAt, out string error)
    {
        var reader = new Utf8JsonReader(source.Bytes, s_options);
        try
        {
            reader.Read();
            var root = ReadValue(ref reader);
            // With isFinalBlock the reader throws here when anything but comments follows the root value.
            reader.Read();
            errorAt = default;
            error = "";
            return root;
        }
        catch (JsonException e)
        {
            var offset = source.OffsetOf(e.LineNumber ?? 0, e.BytePositionInLine ?? 0);
            errorAt = source.PositionOf(offset);
            // The reader's own words for an empty file speak of tokens and final blocks; say it plainly.
            var empty = reader.TokenType == JsonTokenType.None && offset >= source.Bytes.Length;
            error = "invalid JSON: " + (empty ? "the file holds no JSON value" : ReaderPosition().Replace(e.Message, ""));
        }
        catch (InvalidOperationException e)
        {
            // GetString throws this for invalid UTF-8 or escapes inside a string token.
            errorAt = source.PositionOf(reader.TokenStartIndex);
            error = "invalid JSON string: " + e.Message;
        }

        return null;
    }

    private static JsonNode ReadValue(ref Utf8JsonReader reader)
    {
        var offset = reader.TokenStartIndex;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var members = new List<JsonMember>();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var keyOffset = reader.TokenStartIndex;
                    var key = reader.GetString()!;
                    reader.Read();
                    members.Add(new JsonMember(key, keyOffset, ReadValue(ref reader)));
                }

                return new JsonObject(offset, members);
            case JsonTokenType.StartArray:
                var items = new List<JsonNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader));
                }

                return new JsonArray(offset, items);
            case JsonTokenType.String:
                return new JsonString(offset, reader.GetString()!);
            case JsonTokenType.Number:
                return new JsonNumber(offset, Encoding.UTF8.GetString(reader.ValueSpan));
            case JsonTokenType.True or JsonTokenType.False:
                return new JsonBool(offset, reader.GetBoolean());
            default:
                return new JsonNull(offset);
        }
    }

    // JsonException messages end with " LineNumber: 3 | BytePositionInLine: 14."; the error already says where.
    [GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.$")]
    private static partial Regex ReaderPosition();
}

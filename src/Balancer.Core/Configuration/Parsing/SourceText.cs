namespace Balancer.Core.Configuration.Parsing;

/// <summary>A 1-based line and column; columns count characters, not bytes.</summary>
internal readonly record struct SourcePosition(int Line, int Column);

/// <summary>The UTF-8 bytes of a config file and a table of line starts, to turn byte offsets into lines and columns.</summary>
internal sealed class SourceText
{
    private readonly byte[] _bytes;
    private readonly List<int> _lineStarts = [0];

    public SourceText(byte[] bytes)
    {
        _bytes = bytes;
        for (var i = 0; i < bytes.Length; i++)
        {
            // Utf8JsonReader counts lines by '\n' alone, so a "\r\n" file agrees with it.
            if (bytes[i] == (byte)'\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    /// <summary>The bytes to parse.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Line and column of the byte at <paramref name="offset"/>.</summary>
    public SourcePosition PositionOf(long offset)
    {
        var at = (int)Math.Clamp(offset, 0, _bytes.Length);
        var line = _lineStarts.BinarySearch(at);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return new SourcePosition(line + 1, CharactersBetween(_lineStarts[line], at) + 1);
    }

    /// <summary>Byte offset of a 0-based line number and byte position in that line, as <see cref="System.Text.Json.JsonException"/> gives them.</summary>
    public long OffsetOf(long lineNumber, long bytePositionInLine)
    {
        var line = (int)Math.Clamp(lineNumber, 0, _lineStarts.Count - 1);
        return _lineStarts[line] + bytePositionInLine;
    }

    // Counts UTF-8 lead bytes: every character starts with exactly one byte that is not 10xxxxxx.
    private int CharactersBetween(int start, int end)
    {
        var count = 0;
        for (var i = start; i < end; i++)
        {
            if ((_bytes[i] & 0xC0) != 0x80)
            {
                count++;
            }
        }

        return count;
    }
}

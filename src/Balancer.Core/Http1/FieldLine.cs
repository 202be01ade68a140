using System.Buffers;

namespace Balancer.Core.Http1;

/// <summary>
/// One HTTP/1.1 field line, <c>field-name ":" OWS field-value OWS</c> (RFC 9112 §5.1), split in place: of a response
/// head (<see cref="ResponseHeadParser"/>) or of a trailer section (<see cref="TrailerFields"/>).
/// </summary>
internal static class FieldLine
{
    // RFC 9110 §5.6.2 tchar.
    private static readonly SearchValues<byte> s_token =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>
    /// Splits <paramref name="line"/> (without its line end): false when the name is empty or not a token, or there is
    /// whitespace before the colon or at the start (an obs-fold line); the value is trimmed of SP and HTAB.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> line, out int colon, out int valueStart, out int valueEnd)
    {
        colon = line.IndexOf((byte)':');
        valueStart = valueEnd = 0;
        if (colon <= 0 || line[..colon].ContainsAnyExcept(s_token))
        {
            return false;
        }

        valueStart = colon + 1;
        valueEnd = line.Length;
        while (valueStart < valueEnd && line[valueStart] is (byte)' ' or (byte)'\t')
        {
            valueStart++;
        }

        while (valueEnd > valueStart && line[valueEnd - 1] is (byte)' ' or (byte)'\t')
        {
            valueEnd--;
        }

        return true;
    }
}

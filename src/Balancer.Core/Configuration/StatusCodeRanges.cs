using System.Globalization;

namespace Balancer.Core.Configuration;

/// <summary>
/// The HTTP status codes a health probe accepts, parsed from <c>expectStatus</c>: a comma list of codes
/// (<c>204</c>), ranges (<c>200-399</c>) and classes (<c>2xx</c>), each within 100–599.
/// </summary>
public sealed class StatusCodeRanges
{
    private readonly (int Low, int High)[] _ranges;

    private StatusCodeRanges((int, int)[] ranges) => _ranges = ranges;

    /// <summary>True when <paramref name="status"/> is one of the accepted codes.</summary>
    public bool Contains(int status) => _ranges.Any(r => status >= r.Low && status <= r.High);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string text, out StatusCodeRanges ranges, out string error)
    {
        var parsed = new List<(int, int)>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!TryParsePart(part, out var range))
            {
                ranges = new StatusCodeRanges([]);
                error = $"'{text}' is not a list of status codes; use codes, ranges and classes within 100-599, e.g. \"200-399\", \"200,204\" or \"2xx\"";
                return false;
            }

            parsed.Add(range);
        }

        ranges = new StatusCodeRanges([.. parsed]);
        error = "";
        return true;
    }

    private static bool TryParsePart(string part, out (int Low, int High) range)
    {
        range = default;
        if (part.Length == 3 && part.EndsWith("xx", StringComparison.OrdinalIgnoreCase) && part[0] is >= '1' and <= '5')
        {
            var low = (part[0] - '0') * 100;
            range = (low, low + 99);
            return true;
        }

        var dash = part.IndexOf('-', StringComparison.Ordinal);
        var lowText = dash < 0 ? part : part[..dash];
        var highText = dash < 0 ? part : part[(dash + 1)..];
        if (!TryParseCode(lowText.Trim(), out var from) || !TryParseCode(highText.Trim(), out var to) || from > to)
        {
            return false;
        }

        range = (from, to);
        return true;
    }

    private static bool TryParseCode(string text, out int code) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out code) && text.Length == 3 && code is >= 100 and <= 599;
}

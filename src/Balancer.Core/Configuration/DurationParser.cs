using System.Globalization;
using System.Text.RegularExpressions;

namespace Balancer.Core.Configuration;

/// <summary>Parses config durations: a non-negative decimal number and a unit, e.g. <c>500ms</c>, <c>1.5s</c>, <c>1m</c>, <c>1h</c>.</summary>
public static partial class DurationParser
{
    private const string Hint = "use a number and a unit ms, s, m or h, e.g. \"500ms\" or \"2s\"";

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says why, in a sentence fit for a user.</summary>
    public static bool TryParse(string text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        var match = Shape().Match(text);
        if (!match.Success)
        {
            error = text.TrimStart().StartsWith('-')
                ? $"'{text}' is negative; durations must be zero or more"
                : $"'{text}' is not a duration; {Hint}";
            return false;
        }

        long ticksPerUnit = match.Groups["unit"].Value switch
        {
            "ms" => TimeSpan.TicksPerMillisecond,
            "s" => TimeSpan.TicksPerSecond,
            "m" => TimeSpan.TicksPerMinute,
            _ => TimeSpan.TicksPerHour,
        };
        var number = match.Groups["number"].Value;
        if (number.Length > 20 || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            || amount > long.MaxValue / ticksPerUnit)
        {
            error = $"'{text}' is too long a duration";
            return false;
        }

        value = TimeSpan.FromTicks((long)decimal.Round(amount * ticksPerUnit));
        error = "";
        return true;
    }

    [GeneratedRegex(@"^(?<number>[0-9]+(\.[0-9]+)?)(?<unit>ms|s|m|h)$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}

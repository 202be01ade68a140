using System.Globalization;

namespace Balancer.Chaos.Pair;

/// <summary>
/// What the nodes logged around each violation, printed after a failing run so that a failing seed explains itself:
/// the driver's <c>=== chaos:</c> lines (kills, starts, freezes, link changes) and Balancer's own (transitions, virtual
/// IPs added and removed, announcements, advert stalls with their GC share, dual masters), merged in time order.
/// </summary>
internal sealed class ViolationContext
{
    private static readonly TimeSpan s_before = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan s_after = TimeSpan.FromMilliseconds(500);
    private readonly List<(string What, DateTime From, DateTime To)> _windows = [];

    /// <summary>Remembers <paramref name="what"/>, which happened between <paramref name="from"/> and <paramref name="to"/> (local time).</summary>
    public void Add(string what, DateTime from, DateTime to)
    {
        lock (_windows)
        {
            _windows.Add((what, from, to));
        }
    }

    public void Print(TextWriter output, IReadOnlyList<PairNode> nodes)
    {
        var lines = nodes.SelectMany(n => File.ReadLines(n.LogPath).Select(l => (At: TimeOf(l), Node: n.NodeId, Line: l)))
            .Where(l => l.At is not null && !l.Line.Contains("socket receive failed", StringComparison.Ordinal)) // a link down: one a send
            .OrderBy(l => l.At)
            .ToList();
        lock (_windows)
        {
            foreach (var (what, from, to) in _windows)
            {
                output.WriteLine($"around: {what}");
                foreach (var (at, node, line) in lines.Where(l => l.At >= from - s_before && l.At <= to + s_after))
                {
                    output.WriteLine($"  {(at!.Value - from).TotalMilliseconds,6:+0;-0} ms {node}: {Shorten(line)}");
                }
            }
        }
    }

    /// <summary>The time of a node log line: "=== HH:mm:ss.fff chaos: ..." or "yyyy-MM-dd HH:mm:ss.fff level: ...".</summary>
    private static DateTime? TimeOf(string line)
    {
        if (line.StartsWith("=== ", StringComparison.Ordinal) && line.Length > 16
            && TimeSpan.TryParseExact(line[4..16], @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture, out var time))
        {
            return DateTime.Today + time;
        }

        return line.Length > 23 && DateTime.TryParseExact(line[..23], "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at
            : null;
    }

    private static string Shorten(string line)
    {
        var text = line.StartsWith("=== ", StringComparison.Ordinal) ? line[17..] : line[24..];
        return text.Length > 160 ? text[..160] + "…" : text;
    }
}

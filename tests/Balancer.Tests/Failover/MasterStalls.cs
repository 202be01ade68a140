using System.Globalization;
using System.Text.RegularExpressions;
using Balancer.Tests.Common;
using Xunit.Abstractions;

namespace Balancer.Tests.Failover;

/// <summary>
/// Where a master's own log says its adverts stopped for longer than its backup waits (the "advert stall … sent as
/// master" line, logged when it resumes): the process was frozen — on a starved CI host, a blocking GC whose thread
/// waited for a CPU — and to its peer and the witness it was as good as dead, so a takeover then is the protocol's
/// answer, not a fault; no protocol tells a frozen master from a dead one. A test that demands "no transition" under
/// a partition excuses such windows, from the stall's start until the split must have healed (the lesser master yields
/// within a Master_Down_Interval or two, and the resumed master's second set of gratuitous ARP, 2 s after its first,
/// corrects neighbours that took the rival's within their ARP locktime), and says so; everything outside them stays
/// as strict as before.
/// </summary>
internal static partial class MasterStalls
{
    /// <summary>
    /// The windows in <paramref name="stdout"/>'s log: from the stall's start to its end plus <paramref name="heal"/>,
    /// for stalls of <paramref name="masterDown"/> or more. Log times are the host's local clock, as <see cref="DateTime.Now"/>.
    /// </summary>
    public static IReadOnlyList<(DateTime From, DateTime Until, string Line)> Windows(string stdout, TimeSpan masterDown, TimeSpan heal) =>
        [.. StallLine().Matches(stdout)
            .Select(m => (End: DateTime.ParseExact(m.Groups["at"].Value, "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
                Gap: TimeSpan.FromMilliseconds(int.Parse(m.Groups["gap"].Value, CultureInfo.InvariantCulture)), Line: m.Value.Trim()))
            .Where(s => s.Gap >= masterDown)
            .Select(s => (s.End - s.Gap, s.End + heal, s.Line))];

    /// <summary>The windows of every node's log, each written to <paramref name="output"/> as excused.</summary>
    public static IReadOnlyList<(DateTime From, DateTime Until)> Excused(ITestOutputHelper output, TimeSpan masterDown, TimeSpan heal, params BalancerProcess[] nodes)
    {
        var windows = nodes.SelectMany(n => Windows(n.Stdout, masterDown, heal)).ToList();
        windows.ForEach(w => output.WriteLine($"excused {w.From:HH:mm:ss.fff}–{w.Until:HH:mm:ss.fff}: {w.Line}"));
        return [.. windows.Select(w => (w.From, w.Until))];
    }

    [GeneratedRegex(@"^\s*(?<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) warn: Balancer\.Failover\[416\] failover advert stall: (?<gap>\d+) ms between two adverts sent as master[^\n]*", RegexOptions.Multiline)]
    private static partial Regex StallLine();
}

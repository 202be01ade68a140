using System.Globalization;

namespace Balancer.Chaos.Checks;

/// <summary>
/// <c>balancer_requests_total</c> over the whole run. Its series are per backend, and a backend a reload removed leaves
/// the exposition once drained (one added again starts from 0), as Prometheus counters of a gone target do; so the
/// series are scraped often and a series that disappears or restarts lower carries its last value into the total.
/// A removed backend takes no new request, and it is forgotten at the earliest a sweep (1 s) after its removal, so a
/// scrape every 100 ms sees its final count.
/// </summary>
internal sealed class RequestTotals
{
    private const string Name = "balancer_requests_total";
    private readonly Dictionary<string, double> _last = new(StringComparer.Ordinal);
    private double _carried;

    /// <summary>Requests counted by every series seen so far, including series since gone.</summary>
    public double Total => _carried + _last.Values.Sum();

    public void Add(string exposition)
    {
        var now = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(Name + "{", StringComparison.Ordinal) && line.LastIndexOf(' ') is > 0 and var space)
            {
                now[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            }
        }

        foreach (var (series, last) in _last)
        {
            if (!now.TryGetValue(series, out var value) || value < last)
            {
                _carried += last;
            }
        }

        _last.Clear();
        foreach (var (series, value) in now)
        {
            _last[series] = value;
        }
    }
}

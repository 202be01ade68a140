namespace Balancer.Chaos.Checks;

/// <summary>
/// Balancer's RSS and open file descriptors, sampled through the run. They level off when the last third of the run
/// stays within what the middle third reached (RSS + 10 % + 16 MiB, fds + 32): growth that continues is a leak.
/// </summary>
internal sealed class ResourceSamples
{
    private readonly List<(TimeSpan At, long RssKib, int Fds)> _samples = [];

    public void Add(TimeSpan at, (long RssKib, int Fds) sample)
    {
        if (sample.RssKib > 0)
        {
            _samples.Add((at, sample.RssKib, sample.Fds));
        }
    }

    public (long RssKib, int Fds) First => _samples.Count == 0 ? (0, 0) : (_samples[0].RssKib, _samples[0].Fds);

    public (long RssKib, int Fds) Last => _samples.Count == 0 ? (0, 0) : (_samples[^1].RssKib, _samples[^1].Fds);

    public (long RssKib, int Fds) Peak => _samples.Count == 0 ? (0, 0) : (_samples.Max(s => s.RssKib), _samples.Max(s => s.Fds));

    /// <summary>Null when both level off, else what grew.</summary>
    public string? Growth()
    {
        if (_samples.Count < 6)
        {
            return null;
        }

        var third = _samples.Count / 3;
        var middle = _samples.Skip(third).Take(third).ToList();
        var last = _samples.Skip(2 * third).ToList();
        var rssLimit = (middle.Max(s => s.RssKib) * 1.10) + (16 * 1024);
        var fdLimit = middle.Max(s => s.Fds) + 32;
        var problems = new List<string>();
        if (last.Max(s => s.RssKib) > rssLimit)
        {
            problems.Add($"RSS kept growing: {middle.Max(s => s.RssKib) / 1024} MiB in the middle third, {last.Max(s => s.RssKib) / 1024} MiB in the last");
        }

        if (last.Max(s => s.Fds) > fdLimit)
        {
            problems.Add($"open fds kept growing: {middle.Max(s => s.Fds)} in the middle third, {last.Max(s => s.Fds)} in the last");
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}

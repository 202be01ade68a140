namespace Balancer.Chaos.Pair;

/// <summary>
/// The client's results: the send times of the requests that were served, and the gaps between consecutive ones.
/// A gap is judged only once every request sent inside it has had its deadline, so late answers count.
/// </summary>
internal sealed class ServedTracker
{
    private readonly SortedSet<long> _served = [];
    private long _failed;
    private long _judgedUpTo;
    private long _lastJudged;

    public long Served { get { lock (_served) { return _served.Count; } } }

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The longest gap judged so far (ms) and when it began (unix ms).</summary>
    public (long Ms, long At) Longest { get; private set; }

    /// <summary>One line of the client's output; a failure is also written to <paramref name="failures"/>.</summary>
    public void OnLine(string line, TextWriter failures)
    {
        if (!line.StartsWith("ok ", StringComparison.Ordinal))
        {
            lock (failures)
            {
                try
                {
                    failures.WriteLine(line);
                }
                catch (ObjectDisposedException)
                {
                    // A line that came after the run ended.
                }
            }
        }

        var parts = line.Split(' ');
        if (parts.Length >= 2 && long.TryParse(parts[1], out var sent))
        {
            if (parts[0] == "ok")
            {
                lock (_served)
                {
                    _served.Add(sent);
                }
            }
            else
            {
                Interlocked.Increment(ref _failed);
            }
        }
    }

    /// <summary>Whether a request sent at or after <paramref name="unixMs"/> has been served.</summary>
    public bool ServedSince(long unixMs)
    {
        lock (_served)
        {
            return _served.Count > 0 && _served.Max >= unixMs;
        }
    }

    /// <summary>Gaps longer than <paramref name="boundMs"/> between served requests sent before <paramref name="upTo"/> (unix ms), not judged before.</summary>
    public List<(long From, long Ms)> NewGaps(long upTo, double boundMs)
    {
        var gaps = new List<(long, long)>();
        lock (_served)
        {
            foreach (var sent in _served.GetViewBetween(_judgedUpTo, upTo))
            {
                if (_lastJudged > 0)
                {
                    var gap = sent - _lastJudged;
                    if (gap > Longest.Ms)
                    {
                        Longest = (gap, _lastJudged);
                    }

                    if (gap > boundMs)
                    {
                        gaps.Add((_lastJudged, gap));
                    }
                }

                _lastJudged = sent;
            }

            _judgedUpTo = Math.Max(_judgedUpTo, upTo + 1);
        }

        return gaps;
    }
}

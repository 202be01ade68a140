namespace Balancer.Failover;

/// <summary>Lets at most one log line per rejection reason through every 10 s, so a flood of bad packets cannot flood the log.</summary>
internal sealed class RejectLogLimiter(TimeProvider time)
{
    private static readonly TimeSpan _window = TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, long> _lastLogged = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>The reasons whose count rose since the last call and may be logged now, with their totals.</summary>
    public List<(string Reason, long Count)> Admit(IReadOnlyDictionary<string, long> rejected)
    {
        var admitted = new List<(string, long)>();
        var now = time.GetTimestamp();
        foreach (var (reason, count) in rejected)
        {
            if (_counts.GetValueOrDefault(reason) == count)
            {
                continue;
            }

            _counts[reason] = count;
            if (!_lastLogged.TryGetValue(reason, out var last) || time.GetElapsedTime(last, now) >= _window)
            {
                _lastLogged[reason] = now;
                admitted.Add((reason, count));
            }
        }

        return admitted;
    }
}

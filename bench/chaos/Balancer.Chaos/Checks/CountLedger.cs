namespace Balancer.Chaos.Checks;

/// <summary>
/// Compares, per backend, the requests Balancer says it handed over (<c>/status</c> <c>requests</c>, which restarts
/// from 0 when a reload adds the backend anew) with the requests the backend process counted on arrival (which
/// survive its crashes): over each stretch in which the backend stayed configured, the two grow alike.
/// </summary>
internal sealed class CountLedger
{
    private readonly Dictionary<string, (long Status, long ArrivedBefore, long ArrivedAfter, long Failures)> _base = [];

    /// <summary>The widest relative difference seen, for the report.</summary>
    public double WorstRatio { get; private set; }

    /// <summary>
    /// Checks one backend, whose own count was <paramref name="arrivedBefore"/> just before /status was read and
    /// <paramref name="arrivedAfter"/> just after; null when it agrees (or the stretch just began), else what differs.
    /// </summary>
    public string? Check(string name, BackendView? view, long arrivedBefore, long arrivedAfter)
    {
        if (view is null or { Removed: true })
        {
            _base.Remove(name);
            return null;
        }

        if (!_base.TryGetValue(name, out var start) || view.Requests < start.Status)
        {
            _base[name] = (view.Requests, arrivedBefore, arrivedAfter, view.Failures);
            return null;
        }

        var handed = view.Requests - start.Status;
        // What arrived over the same stretch, read around both /status reads: between these two.
        var arrivedLeast = arrivedBefore - start.ArrivedAfter;
        var arrivedMost = arrivedAfter - start.ArrivedBefore;
        // Handed over but never arrived: connects a dead backend refused (Balancer counts them as failures), and
        // requests still on their way. Arrived twice for one pick: a request whose pooled connection was reset under
        // it is sent again on a new one (idempotent, nothing answered). Hence 1 %, and at least 5 on short stretches.
        var failed = view.Failures - start.Failures;
        var slack = Math.Max(handed / 100.0, 5) + view.InFlight;
        var gap = handed > arrivedMost ? handed - arrivedMost : handed < arrivedLeast ? handed - arrivedLeast : 0;
        if (handed > 0)
        {
            WorstRatio = Math.Max(WorstRatio, Math.Abs(gap) / (double)handed);
        }

        return gap > slack + failed || -gap > slack
            ? $"{name}: Balancer handed it {handed} requests, it received {arrivedLeast}–{arrivedMost} (failures {failed}, in flight {view.InFlight}; allowed 1 % or 5)"
            : null;
    }
}

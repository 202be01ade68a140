namespace Balancer.Core.Routing;

/// <summary>
/// What one route did since it was configured as it is: requests matched, the requests each side of its split took,
/// and its mirror's copies. Counted with interlocked increments on the request path; read by <c>/status</c> and
/// <c>/metrics</c>, which therefore show the same state that routes.
/// </summary>
public sealed class RouteStats(string listener, int index, string match, string action, IReadOnlyList<string> splitPools, string? mirrorPool)
{
    private readonly long[] _split = new long[splitPools.Count];
    private long _requests;
    private long _mirrorSent;
    private long _mirrorDropped;
    private long _mirrorTooLarge;
    private long _mirrorFailed;

    public string Listener { get; } = listener;

    /// <summary>The route's place in its listener's list.</summary>
    public int Index { get; } = index;

    /// <summary>What the route matches, in the config's terms.</summary>
    public string Match { get; } = match;

    /// <summary>What it does with what it matches.</summary>
    public string Action { get; } = action;

    /// <summary>The pools of its split, in order; empty when it does not split.</summary>
    public IReadOnlyList<string> SplitPools { get; } = splitPools;

    /// <summary>Its mirror's shadow pool; null when it does not mirror.</summary>
    public string? MirrorPool { get; } = mirrorPool;

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Copies the shadow pool answered (whatever the status).</summary>
    public long MirrorSent => Interlocked.Read(ref _mirrorSent);

    /// <summary>Copies dropped: the queue was full, the shadow pool had no backend free, or the body could not be read whole.</summary>
    public long MirrorDropped => Interlocked.Read(ref _mirrorDropped);

    /// <summary>Sampled requests not copied because their body was over <c>maxBodySize</c>.</summary>
    public long MirrorTooLarge => Interlocked.Read(ref _mirrorTooLarge);

    /// <summary>Copies sent that got no answer (connect failure, timeout).</summary>
    public long MirrorFailed => Interlocked.Read(ref _mirrorFailed);

    /// <summary>Requests the <paramref name="side"/>-th pool of the split took.</summary>
    public long SplitRequests(int side) => Interlocked.Read(ref _split[side]);

    public void OnRequest() => Interlocked.Increment(ref _requests);

    public void OnSplit(int side) => Interlocked.Increment(ref _split[side]);

    public void OnMirror(MirrorOutcome outcome)
    {
        switch (outcome)
        {
            case MirrorOutcome.Sent:
                Interlocked.Increment(ref _mirrorSent);
                break;
            case MirrorOutcome.TooLarge:
                Interlocked.Increment(ref _mirrorTooLarge);
                break;
            case MirrorOutcome.Failed:
                Interlocked.Increment(ref _mirrorFailed);
                break;
            default:
                Interlocked.Increment(ref _mirrorDropped);
                break;
        }
    }
}

/// <summary>How one mirrored copy ended.</summary>
public enum MirrorOutcome
{
    Sent,
    Dropped,
    TooLarge,
    Failed,
}

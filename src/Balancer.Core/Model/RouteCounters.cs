namespace Balancer.Core.Model;

/// <summary>One route of one listener as the dashboard lists it: what it matches, what it does, and the requests it took.</summary>
public sealed class RouteCounters(string listener, int index, string match, string action)
{
    private long _requests;
    private long _limited;

    /// <summary>The listener the route belongs to.</summary>
    public string Listener { get; } = listener;

    /// <summary>The route's place in its listener's list (routes are tried in order).</summary>
    public int Index { get; } = index;

    /// <summary>What requests the route matches, in the config's terms (<c>hosts * path /api/{**rest}</c>).</summary>
    public string Match { get; } = match;

    /// <summary>What the route does with them (<c>pool api</c>, and its rate limit).</summary>
    public string Action { get; } = action;

    /// <summary>Requests the route matched since it was configured as it is.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Of those, requests its rate limit refused with 429.</summary>
    public long Limited => Interlocked.Read(ref _limited);

    /// <summary>Counts a request the route matched.</summary>
    public void OnRequest() => Interlocked.Increment(ref _requests);

    /// <summary>Counts a request the route's rate limit refused (also call <see cref="OnRequest"/>).</summary>
    public void OnLimited() => Interlocked.Increment(ref _limited);
}

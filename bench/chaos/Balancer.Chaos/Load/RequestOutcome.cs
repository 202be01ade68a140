namespace Balancer.Chaos.Load;

/// <summary>A request that did not get the right answer: when it ran (run clock, ms), what it was, what came back.</summary>
internal sealed record RequestFailure(string Method, long StartMs, long EndMs, string What, string? Backend, DateTime StartedUtc)
{
    public bool IsGet => Method == "GET";

    public override string ToString() => $"{Method} sent {StartedUtc:HH:mm:ss.fff}, failed after {EndMs - StartMs} ms: {What}{(Backend is null ? "" : $" (from {Backend})")}";
}

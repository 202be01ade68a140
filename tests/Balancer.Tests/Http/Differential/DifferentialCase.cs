namespace Balancer.Tests.Http.Differential;

/// <summary>
/// One input of the forwarder differential test: raw client bytes, and whether the exchange ends with the server
/// closing (ordinary requests ask for it) or only goes quiet (corpus cases, which may leave the connection open), and
/// whether a request the backend saw cut off counts (not for a corpus case that allows it: when the proxy gives up on a
/// streamed body depends on how the client's bytes arrive, not on the forwarder).
/// </summary>
internal sealed record DifferentialCase(string Name, byte[] Request, bool EndsWithClose, bool IgnoreCut = false)
{
    public override string ToString() => Name;
}

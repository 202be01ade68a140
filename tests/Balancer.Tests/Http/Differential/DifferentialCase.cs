namespace Balancer.Tests.Http.Differential;

/// <summary>
/// One input of the forwarder differential test: raw client bytes, and whether the exchange ends with the server
/// closing (ordinary requests ask for it) or only goes quiet (corpus cases, which may leave the connection open).
/// </summary>
internal sealed record DifferentialCase(string Name, byte[] Request, bool EndsWithClose)
{
    public override string ToString() => Name;
}

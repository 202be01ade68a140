namespace Balancer.Core.Health;

/// <summary>The outcome of one active probe: passed or not, and a short detail for logs (<c>connection refused</c>, <c>status 500</c>).</summary>
public readonly record struct ProbeResult(bool Success, string Detail)
{
    /// <summary>A passing probe.</summary>
    public static ProbeResult Pass(string detail = "ok") => new(true, detail);

    /// <summary>A failing probe.</summary>
    public static ProbeResult Fail(string detail) => new(false, detail);
}

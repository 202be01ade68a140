namespace Balancer.Core.ProxyProtocol;

/// <summary>How far parsing an inbound PROXY header got.</summary>
public enum ProxyParseStatus
{
    /// <summary>The bytes so far are a valid start; read more and parse again.</summary>
    Incomplete,

    /// <summary>A whole valid header: <see cref="ProxyParseResult.Header"/> and <see cref="ProxyParseResult.Consumed"/> are set.</summary>
    Done,

    /// <summary>Not a valid header: close the connection (spec section 2: never guess).</summary>
    Invalid,
}

/// <summary>The outcome of <see cref="ProxyHeaderParser.Parse"/>; never an exception.</summary>
public readonly record struct ProxyParseResult(ProxyParseStatus Status, ProxyHeader? Header, int Consumed, string? Error)
{
    internal static ProxyParseResult Incomplete => new(ProxyParseStatus.Incomplete, null, 0, null);

    internal static ProxyParseResult Done(ProxyHeader header, int consumed) => new(ProxyParseStatus.Done, header, consumed, null);

    internal static ProxyParseResult Invalid(string error) => new(ProxyParseStatus.Invalid, null, 0, error);
}

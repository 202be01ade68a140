using System.Net.Security;

namespace Balancer.Core.Configuration.Validation;

/// <summary>The IANA cipher suite names <c>tls.cipherSuites</c> accepts: those of .NET's <see cref="TlsCipherSuite"/>.</summary>
public static class TlsCipherSuiteNames
{
    /// <summary>The suite named exactly <paramref name="name"/> (case-sensitive, as IANA writes it); null when none.</summary>
    public static TlsCipherSuite? Parse(string name) =>
        name.StartsWith("TLS_", StringComparison.Ordinal) && Enum.TryParse<TlsCipherSuite>(name, ignoreCase: false, out var suite)
            && Enum.IsDefined(suite) ? suite : null;

    /// <summary>Whether <paramref name="name"/> names a suite.</summary>
    public static bool IsKnown(string name) => Parse(name) is not null;
}

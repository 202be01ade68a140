namespace Balancer.Tests.Common;

/// <summary>
/// A fact that needs root and iproute2 (network namespaces). Skipped with the reason on a developer machine that
/// lacks them; under CI=true it runs anyway and <see cref="RequireRoot"/> fails it, so CI never passes by skipping.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (MissingReason() is { } reason && !IsCi)
        {
            Skip = reason + " (under CI=true this test fails instead)";
        }
    }

    internal static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Call first in a <see cref="RootFactAttribute"/> test: fails it when it cannot run.</summary>
    public static void RequireRoot()
    {
        if (MissingReason() is { } reason)
        {
            Assert.Fail(reason);
        }
    }

    private static string? MissingReason() =>
        !Environment.IsPrivilegedProcess ? "needs root to create network namespaces (ip netns)"
        : !new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" }.Any(File.Exists) ? "needs iproute2 (ip) to create network namespaces"
        : null;
}

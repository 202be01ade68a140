using System.Text.RegularExpressions;
using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>Checks the <c>failover</c> block: priority, timers and the peer and virtual IP addresses.</summary>
internal static partial class FailoverValidator
{
    private const string Path = "failover";

    /// <summary>RFC 5798 counts the advert interval in centiseconds, so 10 ms is the finest it can be.</summary>
    private static readonly TimeSpan s_minAdvertInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Checks <paramref name="failover"/>.</summary>
    public static void Validate(FailoverConfig failover, ConfigDiagnostics diagnostics)
    {
        // RFC 5798 section 5.2.4: 255 is reserved for the address owner and 0 for a master giving up.
        PoolValidator.CheckRange(diagnostics, ConfigPath.Child(Path, "priority"), "priority", failover.Priority, 1, 254);
        if (failover.AdvertInterval < s_minAdvertInterval)
        {
            diagnostics.Report(ConfigPath.Child(Path, "advertInterval"), "advertInterval must be at least 10ms");
        }

        if (AddressSyntax.CheckBind(failover.Bind, out _) is { } bindError)
        {
            diagnostics.Report(ConfigPath.Child(Path, "bind"), bindError);
        }

        CheckList(ConfigPath.Child(Path, "peers"), failover.Peers, AddressSyntax.CheckPeer, diagnostics);
        CheckList(ConfigPath.Child(Path, "virtualIps"), failover.VirtualIps, AddressSyntax.CheckCidr, diagnostics);
        if (failover.Interface is { } name && !InterfaceName().IsMatch(name))
        {
            diagnostics.Report(ConfigPath.Child(Path, "interface"), $"'{name}' is not a network interface name (1-15 characters, no '/' or spaces)");
        }
    }

    private static void CheckList(string path, IReadOnlyList<string> items, Func<string, string?> check, ConfigDiagnostics diagnostics)
    {
        for (var i = 0; i < items.Count; i++)
        {
            ConfigValidator.Report(diagnostics, ConfigPath.Item(path, i), check(items[i]));
        }
    }

    // Linux IFNAMSIZ is 16 including the terminating NUL.
    [GeneratedRegex(@"^[^/\s:]{1,15}$")]
    private static partial Regex InterfaceName();
}

using System.Net;
using System.Net.Sockets;

namespace Balancer.Core.Announce;

/// <summary>
/// One announced virtual IP: a host address, <c>/32</c> or <c>/128</c>. A shorter prefix is refused: on <c>lo</c> the
/// kernel would treat the whole subnet as local, and the routing daemon would announce the subnet, not the address.
/// </summary>
public readonly record struct AnnouncedAddress(IPAddress Address)
{
    /// <summary>The host prefix length: 32 for IPv4, 128 for IPv6.</summary>
    public int PrefixLength => Address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;

    /// <summary>Parses <c>198.18.10.100</c>, <c>198.18.10.100/32</c>, <c>2001:db8::1/128</c>; null and the reason when it is not one.</summary>
    public static AnnouncedAddress? Parse(string text, out string? error)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(host, out var address) || !(host.Contains(':') || host.Count(c => c == '.') == 3))
        {
            error = $"'{text}' is not an IP address, e.g. 198.18.10.100/32";
            return null;
        }

        var parsed = new AnnouncedAddress(address);
        if (slash >= 0 && text[(slash + 1)..] != parsed.PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            error = $"'{text}' must be a host address, /{parsed.PrefixLength}: a shorter prefix on the interface makes the whole subnet local to the node, and the routing daemon announces the subnet";
            return null;
        }

        error = null;
        return parsed;
    }

    /// <summary>The address with its prefix length, as <c>ip addr</c> writes it.</summary>
    public override string ToString() => $"{Address}/{PrefixLength}";
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Balancer.Core.Configuration.Validation;

/// <summary>A parsed listen address; <see cref="Host"/> is normalised so equal binds compare equal.</summary>
internal readonly record struct BindEndpoint(string Host, int Port, bool IsWildcard, bool IsLoopback);

/// <summary>The address shapes config accepts. Each check returns null when valid, else the message to report.</summary>
internal static partial class AddressSyntax
{
    /// <summary>A listen address: <c>ip:port</c>, <c>[ipv6]:port</c>, <c>*:port</c> or <c>localhost:port</c>, port 0–65535.</summary>
    public static string? CheckBind(string text, out BindEndpoint endpoint)
    {
        endpoint = default;
        if (!TrySplit(text, out var host, out var port, minPort: 0))
        {
            return $"'{text}' is not a bind address; use ip:port, [ipv6]:port, *:port or localhost:port (port 0-65535)";
        }

        if (host is "*" or "localhost")
        {
            endpoint = new BindEndpoint(host == "*" ? "0.0.0.0" : "127.0.0.1", port, host == "*", host == "localhost");
            return null;
        }

        if (!TryParseIp(host, out var ip))
        {
            return $"'{host}' in '{text}' is not an IP address, '*' or 'localhost'";
        }

        var wildcard = ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any);
        endpoint = new BindEndpoint(ip.ToString(), port, wildcard, IPAddress.IsLoopback(ip));
        return null;
    }

    /// <summary>A TCP backend: <c>host:port</c>, host an IPv4 address, <c>[IPv6]</c> or DNS name, port 1–65535.</summary>
    public static string? CheckHostPort(string text) =>
        TrySplit(text, out var host, out _, minPort: 1) && (TryParseIp(host, out _) || IsDnsName(host))
            ? null
            : $"'{text}' is not host:port (IPv4, [IPv6] or DNS name; port 1-65535)";

    /// <summary>A failover peer: <c>ip:port</c> or <c>[ipv6]:port</c>, port 1–65535.</summary>
    public static string? CheckPeer(string text) =>
        TrySplit(text, out var host, out _, minPort: 1) && TryParseIp(host, out _)
            ? null
            : $"'{text}' is not ip:port ([ipv6]:port for IPv6; port 1-65535)";

    /// <summary>A virtual IP with prefix length, e.g. <c>198.18.0.100/24</c>.</summary>
    public static string? CheckCidr(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var valid = slash > 0
            && TryParseIp(text[..slash], out var ip)
            && TryParsePort(text[(slash + 1)..], out var prefix)
            && prefix <= (ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        return valid ? null : $"'{text}' is not an IP address with a prefix length, e.g. 198.18.0.100/24";
    }

    /// <summary>A trusted proxy: an IP address, or a CIDR block such as <c>10.0.0.0/8</c> or <c>fd00::/8</c>.</summary>
    public static string? CheckTrustedProxy(string text) =>
        TryParseIp(text, out _) || (CheckCidr(text) is null && IPNetwork.TryParse(text, out _))
            ? null
            : $"'{text}' is not an IP address or CIDR block, e.g. 10.0.0.7 or 10.0.0.0/8";

    /// <summary>An HTTP backend: an absolute http or https URI with a host and no path but "/".</summary>
    public static string? CheckHttpUri(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            return $"'{text}' is not an absolute http(s) URI";
        }

        return uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? null
            : $"'{text}' must be just scheme://host:port, with no path, query or user; routes choose the path";
    }

    /// <summary>A network interface name as Linux takes it: 1–15 characters (IFNAMSIZ 16 with the NUL), no '/', ':' or white space.</summary>
    public static string? CheckInterface(string name) =>
        InterfaceName().IsMatch(name) ? null : $"'{name}' is not a network interface name (1-15 characters, no '/', ':' or spaces)";

    /// <summary>True for a DNS host name: dot-separated labels of letters, digits and inner hyphens.</summary>
    public static bool IsDnsName(string host) => host.Length <= 253 && DnsName().IsMatch(host) && !AllNumeric().IsMatch(host);

    private static bool TrySplit(string text, out string host, out int port, int minPort)
    {
        var colon = text.LastIndexOf(':');
        host = colon > 0 ? text[..colon] : "";
        port = 0;
        if (host.StartsWith('['))
        {
            // [::1]:80 — the brackets are required so the port cannot be mistaken for part of the address.
            if (!host.EndsWith(']'))
            {
                return false;
            }

            host = host[1..^1];
            if (!host.Contains(':'))
            {
                return false;
            }
        }
        else if (host.Contains(':'))
        {
            return false;
        }

        return host.Length > 0 && TryParsePort(text[(colon + 1)..], out port) && port >= minPort && port <= 65535;
    }

    private static bool TryParsePort(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && text.Length <= 5;

    // IPAddress.TryParse takes "1" or "0x7f.1" too; config wants the dotted quad or a real IPv6 literal.
    private static bool TryParseIp(string text, out IPAddress ip) =>
        IPAddress.TryParse(text, out ip!) && (text.Contains(':') || DottedQuad().IsMatch(text));

    [GeneratedRegex(@"^[0-9]{1,3}(\.[0-9]{1,3}){3}$")]
    private static partial Regex DottedQuad();

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex DnsName();

    [GeneratedRegex(@"^[^/\s:]{1,15}$")]
    private static partial Regex InterfaceName();

    [GeneratedRegex(@"^[0-9.]+$")]
    private static partial Regex AllNumeric();
}

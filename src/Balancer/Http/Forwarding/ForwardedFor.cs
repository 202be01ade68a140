using System.Net;
using Microsoft.Extensions.Primitives;

namespace Balancer.Http.Forwarding;

/// <summary>
/// The <c>X-Forwarded-For</c> rule of a listener: a client among its trusted proxies has its header appended to (the
/// chain goes on, as NGINX's <c>$proxy_add_x_forwarded_for</c> behind <c>set_real_ip_from</c>); anyone else's header
/// is replaced by its own address, so a client cannot make backends log or trust a forged address. For the same
/// reason an untrusted client's <c>Forwarded</c> (RFC 7239) and <c>X-Real-IP</c> are dropped, not passed on.
/// </summary>
internal sealed class ForwardedFor
{
    /// <summary>The header this rule writes.</summary>
    public const string HeaderName = "X-Forwarded-For";

    private static readonly string[] s_untrustedOnly = ["Forwarded", "X-Real-IP"];
    private readonly IPNetwork[] _trusted;

    /// <param name="trustedProxies">IP addresses and CIDR blocks, as the validator accepted them.</param>
    public ForwardedFor(IReadOnlyList<string> trustedProxies) =>
        _trusted = [.. trustedProxies.Select(e => IPAddress.TryParse(e, out var ip) ? new IPNetwork(ip, ip.GetAddressBytes().Length * 8) : IPNetwork.Parse(e))];

    /// <summary>Headers only a trusted client may pass on (see the class summary).</summary>
    public static bool IsUntrustedOnly(string name)
    {
        foreach (var header in s_untrustedOnly)
        {
            if (name.Equals(header, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The <c>X-Forwarded-For</c> to send given the one <paramref name="received"/>, as one line (values joined with
    /// ", ", as HttpClient joins them); false when the client has no address (a test host in memory: nothing is passed
    /// on rather than a forgery). <paramref name="trusted"/> says whether the client may pass on its forwarding headers.
    /// </summary>
    public bool TryCompute(HttpContext context, StringValues received, out string value, out bool trusted)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            value = "";
            trusted = false;
            return false;
        }

        var address = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        var client = address.ToString();
        trusted = IsTrusted(address);
        value = !trusted || StringValues.IsNullOrEmpty(received) ? client
            : received.Count == 1 ? $"{received[0]}, {client}"
            : string.Join(", ", received.Append(client));
        return true;
    }

    private bool IsTrusted(IPAddress client)
    {
        foreach (var network in _trusted)
        {
            if (network.Contains(client))
            {
                return true;
            }
        }

        return false;
    }
}

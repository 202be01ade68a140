using System.Net;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Transforms;

namespace Balancer.Http;

/// <summary>
/// Writes <c>X-Forwarded-For</c>: a client among the listener's trusted proxies has its header appended to (the
/// chain goes on, as NGINX's <c>$proxy_add_x_forwarded_for</c> behind <c>set_real_ip_from</c>); anyone else's
/// header is replaced by its own address, so a client cannot make backends log or trust a forged address. For the
/// same reason an untrusted client's <c>Forwarded</c> (RFC 7239) and <c>X-Real-IP</c> are dropped, not passed on.
/// </summary>
internal sealed class ForwardedForTransform
{
    private const string HeaderName = "X-Forwarded-For";
    private static readonly string[] s_untrustedOnly = ["Forwarded", "X-Real-IP"];
    private IPNetwork[] _trusted;

    public ForwardedForTransform(IReadOnlyList<string> trustedProxies) => _trusted = Parse(trustedProxies);

    /// <summary>Takes a reloaded listener's list (requests read the array reference once).</summary>
    public void Update(IReadOnlyList<string> trustedProxies) => Volatile.Write(ref _trusted, Parse(trustedProxies));

    /// <summary>Headers an untrusted client may not pass on (see the class summary).</summary>
    public static ReadOnlySpan<string> UntrustedOnly => s_untrustedOnly;

    public ValueTask ApplyAsync(RequestTransformContext context)
    {
        var received = RequestTransform.TakeHeader(context, HeaderName);
        if (!TryCompute(context.HttpContext, received, out var value, out var trusted))
        {
            return ValueTask.CompletedTask; // no client address (a test host in memory): pass nothing on rather than a forgery
        }

        if (!trusted)
        {
            foreach (var header in s_untrustedOnly)
            {
                RequestTransform.RemoveHeader(context, header);
            }
        }

        RequestTransform.AddHeader(context, HeaderName, value);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The <c>X-Forwarded-For</c> to send given the one <paramref name="received"/>, for both forwarders; false when
    /// the client has no address. <paramref name="trusted"/> says whether the client may pass on its forwarding headers.
    /// </summary>
    public bool TryCompute(HttpContext context, StringValues received, out StringValues value, out bool trusted)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null)
        {
            value = default;
            trusted = false;
            return false;
        }

        var client = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        trusted = IsTrusted(client);
        value = !StringValues.IsNullOrEmpty(received) && trusted
            ? StringValues.Concat(received, client.ToString())
            : new StringValues(client.ToString());
        return true;
    }

    private bool IsTrusted(IPAddress client)
    {
        foreach (var network in Volatile.Read(ref _trusted))
        {
            if (network.Contains(client))
            {
                return true;
            }
        }

        return false;
    }

    // The validator accepted each entry: an IP address is a network of one address.
    private static IPNetwork[] Parse(IReadOnlyList<string> entries) =>
        [.. entries.Select(e => IPAddress.TryParse(e, out var ip) ? new IPNetwork(ip, ip.GetAddressBytes().Length * 8) : IPNetwork.Parse(e))];
}

using System.Net;

namespace Balancer.Hosting;

/// <summary>Turns a config <c>bind</c> string (<c>0.0.0.0:8080</c>, <c>[::1]:80</c>, <c>*:80</c>, <c>localhost:80</c>) into an endpoint.</summary>
internal static class BindAddress
{
    public static IPEndPoint Parse(string bind)
    {
        var colon = bind.LastIndexOf(':');
        var host = bind[..colon];
        var port = int.Parse(bind[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var address = host switch
        {
            "*" or "" => IPAddress.IPv6Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.Parse(host.Trim('[', ']')),
        };
        return new IPEndPoint(address, port);
    }

    /// <summary>Formats an endpoint as users write it in config.</summary>
    public static string Format(EndPoint? endpoint) => endpoint switch
    {
        IPEndPoint { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ip => $"[{ip.Address}]:{ip.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        _ => endpoint?.ToString() ?? "",
    };
}

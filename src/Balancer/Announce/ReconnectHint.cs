using System.Net;
using Microsoft.AspNetCore.Connections.Features;

namespace Balancer.Announce;

/// <summary>
/// While the node is withdrawn, asks the clients of the announced addresses to come back on a new connection, which
/// the converged router sends to a node that still announces: HTTP/1.x responses get <c>Connection: close</c>, HTTP/2
/// connections a graceful GOAWAY (RFC 9113 §6.8), as Envoy does while it drains a listener. A connection that stays
/// is lost once the router converges: its next packets hash to another node, which knows nothing of it. Connections
/// to other addresses (the node's own) are left alone. Costs one volatile read per request when inactive.
/// </summary>
internal sealed class ReconnectHint
{
    private volatile IPAddress[]? _addresses;

    /// <summary>True while clients of the announced addresses are asked to reconnect.</summary>
    public bool Active => _addresses is not null;

    /// <summary>Asks the clients of <paramref name="addresses"/> to reconnect from now on; null stops asking.</summary>
    public void Set(IEnumerable<IPAddress>? addresses) => _addresses = addresses is null ? null : [.. addresses];

    /// <summary>Marks <paramref name="context"/>'s connection to close after this response, when it came to an announced address.</summary>
    public void Apply(HttpContext context)
    {
        var addresses = _addresses;
        var local = context.Connection.LocalIpAddress;
        if (addresses is null || local is null)
        {
            return;
        }

        if (local.IsIPv4MappedToIPv6)
        {
            local = local.MapToIPv4();
        }

        if (Array.IndexOf(addresses, local) < 0)
        {
            return;
        }

        if (HttpProtocol.IsHttp2(context.Request.Protocol) || HttpProtocol.IsHttp3(context.Request.Protocol))
        {
            context.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();
        }
        else
        {
            context.Response.Headers.Connection = "close";
        }
    }
}

using System.Net;
using Balancer.Tcp;
using Balancer.Telemetry;
using Microsoft.AspNetCore.Connections;

namespace Balancer.Http;

/// <summary>
/// <c>acceptProxyProtocol</c> on an <c>http</c> listener behind an L4 balancer (HAProxy <c>send-proxy</c>, an AWS NLB):
/// every connection must start with a PROXY v1 or v2 header (the spec, section 2, forbids guessing), read before TLS
/// and HTTP; its source then stands for the client everywhere — <c>X-Forwarded-For</c>, <c>client-ip</c> hashing, rate
/// limits, the access log — as Kestrel takes the connection's endpoints from here. A missing or broken header closes
/// the connection, logged. A <c>LOCAL</c> header (the sender's own health check) keeps the peer's address.
/// </summary>
internal static class ProxyProtocolIntake
{
    /// <param name="timeout">How long the header may take: the listener's <c>requestHeadersTimeout</c>.</param>
    public static async Task OnConnection(ConnectionContext connection, ConnectionDelegate next, string listener, TimeSpan timeout, TimeProvider time, ILogger logger)
    {
        var inbound = await InboundProxyHeader.ReadAsync(connection.Transport.Input, timeout, time);
        if (inbound.Header is not { } header)
        {
            Log.ProxyHeaderRejected(logger, listener, (connection.RemoteEndPoint as IPEndPoint)?.ToString() ?? "?", inbound.Error ?? "invalid");
            return;
        }

        if (header.IsKnown)
        {
            connection.RemoteEndPoint = header.Source;
            connection.LocalEndPoint = header.Destination;
        }

        await next(connection);
    }
}

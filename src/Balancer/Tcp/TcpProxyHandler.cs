using System.Net;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Core.ProxyProtocol;
using Balancer.Telemetry;
using Microsoft.AspNetCore.Connections;

namespace Balancer.Tcp;

/// <summary>
/// Kestrel's handler for every connection of a <c>tcp</c> listener: reads an inbound PROXY header when
/// asked to, connects to a backend of the listener's pool, sends the pool's PROXY header, then copies
/// both ways until both sides are done. Returning closes the client connection.
/// </summary>
internal sealed class TcpProxyHandler(TcpListenerContext listener, PoolRegistry pools, TcpBufferPool buffers, TimeProvider time, ILogger<TcpProxyHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        listener.Counters.OnOpened();
        try
        {
            await ProxyAsync(connection);
        }
        finally
        {
            listener.Counters.OnClosed();
        }
    }

    private async Task ProxyAsync(ConnectionContext connection)
    {
        var config = listener.Config;
        var origin = new ProxyHeader(connection.RemoteEndPoint as IPEndPoint, connection.LocalEndPoint as IPEndPoint);
        if (config.AcceptProxyProtocol)
        {
            var inbound = await InboundProxyHeader.ReadAsync(connection.Transport.Input, config.ConnectTimeout, time);
            if (inbound.Header is not { } header)
            {
                Log.ProxyHeaderRejected(logger, listener.Name, origin.Source?.ToString() ?? "?", inbound.Error ?? "invalid");
                return;
            }

            origin = header.IsKnown ? header : origin;
        }

        var pool = pools.Get(config.Pool ?? "");
        if (pool is null || await UpstreamConnector.ConnectAsync(pool, origin.Source?.Address, config.ConnectTimeout, time, logger) is not var (backend, socket))
        {
            Log.TcpNoBackend(logger, listener.Name, config.Pool ?? "");
            return;
        }

        var failed = true;
        try
        {
            // The backend leg first: it owns the socket, so nothing below can leak it.
            await using var server = TcpLeg.ForUpstream(socket, buffers);
            await using var client = TcpLeg.ForClient(connection);
            if (pool.Config.ProxyProtocol != ProxyProtocolVersions.None)
            {
                // Sent at once, not with the first client bytes: server-speaks-first protocols (SMTP,
                // MySQL) must learn the client before they greet it.
                var span = server.Output.GetSpan(ProxyHeaderWriter.MaxLength);
                server.Output.Advance(ProxyHeaderWriter.Write(pool.Config.ProxyProtocol, origin, span));
                await server.Output.FlushAsync();
            }

            failed = await DuplexCopy.RunAsync(client, server, backend, config.IdleTimeout, time, listener.Counters);
        }
        catch (IOException)
        {
            // The PROXY header could not be sent: the backend went away at once.
        }
        finally
        {
            backend.OnFinished(failed);
        }
    }
}

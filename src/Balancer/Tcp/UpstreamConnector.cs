using System.Net;
using System.Net.Sockets;
using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using Balancer.Health;
using Balancer.Telemetry;

namespace Balancer.Tcp;

/// <summary>
/// Opens the backend side of a new L4 connection: picks a backend, connects within the connect timeout,
/// and on a refused or timed-out connect ejects that backend (passive health, as on L7) and tries another,
/// up to the pool's <c>retries</c>. Nothing has been forwarded yet, so a retry is always safe.
/// </summary>
internal static class UpstreamConnector
{
    /// <summary>
    /// The backend (counted in flight) and its connected socket; null when no backend could be reached. A <c>hash</c> pool
    /// picks by <paramref name="client"/>, the client's address (the PROXY header's source when the listener takes one).
    /// </summary>
    public static async Task<(BackendState Backend, Socket Socket)?> ConnectAsync(Pool pool, IPAddress? client, TimeSpan connectTimeout, TimeProvider time, ILogger logger)
    {
        var tries = Math.Max(1, pool.Config.Retries);
        BackendState? failed = null;
        var key = KeyOf(pool, client);
        for (var attempt = 1; attempt <= tries; attempt++)
        {
            var snapshot = pool.Snapshot;
            var backend = ConnectionPicker.PickAndStart(snapshot, pool.Config.MaxConnectionsPerBackend, failed, key, snapshot.HashBalanceFactor, key is null ? 0 : InFlight(snapshot));
            if (backend is null)
            {
                return null;
            }

            // A literal address gets a socket of its own family: no dual-mode (IPV6_V6ONLY) setup per connection.
            var socket = backend.EndPoint is { } endPoint
                ? new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
                : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var started = time.GetTimestamp();
            string failure;
            using (var timeout = new CancellationTokenSource(connectTimeout, time))
            {
                try
                {
                    await ConnectAsync(socket, backend, timeout.Token);
                    // The response-time algorithm ranks TCP backends by how fast they accept.
                    backend.Latency.Observe(time.GetElapsedTime(started));
                    return (backend, socket);
                }
                catch (OperationCanceledException)
                {
                    failure = "connect timeout";
                }
                catch (SocketException e)
                {
                    failure = ProbeErrors.Describe(e.SocketErrorCode);
                }
            }

            socket.Dispose();
            backend.OnFinished(failed: true);
            pool.Health.OnConnectFailure(backend, failure);
            Log.TcpConnectFailed(logger, pool.Name, backend.Address, failure, attempt, tries);
            failed = backend;
        }

        return null;
    }

    /// <summary>The client address's <see cref="StableHash"/> for a <c>hash</c> pool (the same on every node); null otherwise or without one (counted).</summary>
    private static ulong? KeyOf(Pool pool, IPAddress? client)
    {
        if (!pool.Snapshot.HashesKeys)
        {
            return null;
        }

        if (StableHash.TryHash(client, 0, out var hash))
        {
            return hash;
        }

        pool.Counters.OnHashFallback();
        return null;
    }

    // Connections in flight over the pool, for bounded loads: a sum over its backends, once per connection.
    private static int InFlight(PoolSnapshot snapshot)
    {
        var sum = 0;
        foreach (var backend in snapshot.Available)
        {
            sum += backend.InFlight;
        }

        return sum;
    }

    /// <summary>A literal address connects directly; a host name is resolved on every connect (DNS may change).</summary>
    private static ValueTask ConnectAsync(Socket socket, BackendState backend, CancellationToken cancellationToken)
    {
        if (backend.EndPoint is { } endPoint)
        {
            return socket.ConnectAsync(endPoint, cancellationToken);
        }

        var (host, port) = TcpProbe.HostPort(backend.Address);
        return socket.ConnectAsync(host, port, cancellationToken);
    }
}

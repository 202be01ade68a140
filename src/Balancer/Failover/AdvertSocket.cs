using System.Net;
using System.Net.Sockets;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>The UDP socket adverts are sent from and received on, and the peers they go to.</summary>
internal sealed class AdvertSocket : IDisposable
{
    private const int SolSocket = 1;      // Linux <asm-generic/socket.h>
    private const int SoRcvBufForce = 33;
    private static readonly IPEndPoint _anyV4 = new(IPAddress.Any, 0);
    private static readonly IPEndPoint _anyV6 = new(IPAddress.IPv6Any, 0);
    private readonly Socket _socket;
    private readonly IPEndPoint[] _peers;
    private readonly ILogger _logger;
    private readonly byte[] _buffer = new byte[2048];

    private AdvertSocket(Socket socket, IEnumerable<string> peers, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
        _peers = [.. peers.Select(p => PeerEndPoint(p, ((IPEndPoint)socket.LocalEndPoint!).Port))];
    }

    /// <summary>The address adverts are received on, as bound.</summary>
    public string BoundAddress => BindAddress.Format(_socket.LocalEndPoint);

    /// <summary>Binds <paramref name="bind"/> (dual-stack for <c>[::]</c>).</summary>
    /// <exception cref="StartupException">The address cannot be bound; one line.</exception>
    public static AdvertSocket Bind(string bind, IEnumerable<string> peers, ILogger logger)
    {
        var endpoint = BindAddress.Parse(bind);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
            EnlargeReceiveQueue(socket);
            return new AdvertSocket(socket, peers, logger);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new StartupException($"failover.bind: cannot listen on {bind}: {e.Message}");
        }
    }

    /// <summary>Sends one datagram to every peer; an unreachable peer is logged and tried again with the next advert.</summary>
    public void Send(ReadOnlySpan<byte> datagram)
    {
        foreach (var peer in _peers)
        {
            try
            {
                _socket.SendTo(datagram, SocketFlags.None, peer);
            }
            catch (SocketException e)
            {
                // An unreachable peer is what failover is for; the next advert tries again.
                Log.FailoverReceiveFailed(_logger, $"send to {peer}: {e.Message}");
            }
        }
    }

    /// <summary>Waits up to <paramref name="wait"/> (whole milliseconds) for a datagram; true when one is ready.</summary>
    public bool Poll(TimeSpan wait) => _socket.Poll(wait, SelectMode.SelectRead);

    /// <summary>
    /// Hands every datagram that has arrived to <paramref name="received"/>, at most <paramref name="limit"/>, so that a
    /// flood cannot hold the caller's timers off. A failing socket is logged and paused for 10 ms, never spun on.
    /// </summary>
    public void ReceivePending(int limit, Action<ReadOnlySpan<byte>, IPEndPoint> received)
    {
        for (var i = 0; i < limit && (i == 0 || _socket.Available > 0); i++)
        {
            EndPoint from = _socket.AddressFamily == AddressFamily.InterNetworkV6 ? _anyV6 : _anyV4;
            int length;
            try
            {
                length = _socket.ReceiveFrom(_buffer, SocketFlags.None, ref from);
            }
            catch (SocketException e)
            {
                Log.FailoverReceiveFailed(_logger, e.Message);
                Thread.Sleep(10);
                return;
            }

            received(_buffer.AsSpan(0, length), (IPEndPoint)from);
        }
    }

    /// <summary>
    /// Hands <paramref name="received"/> every datagram already queued, for at most <paramref name="budget"/>: what a
    /// decision on silence must look at first. Under a flood faster than the loop the queue never empties, and the
    /// budget bounds how late the decision comes.
    /// </summary>
    public void Drain(TimeSpan budget, Action<ReadOnlySpan<byte>, IPEndPoint> received)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (_socket.Available > 0 && System.Diagnostics.Stopwatch.GetElapsedTime(start) < budget)
        {
            ReceivePending(64, received);
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>
    /// A flood must not crowd the peer's adverts out of the socket's queue while the loop waits for a CPU: 4 MiB holds
    /// some 4,000 small datagrams, 200 ms of 20,000 a second. SO_RCVBUFFORCE passes net.core.rmem_max (208 KiB by
    /// default) with CAP_NET_ADMIN, which moving the VIPs needs anyway; without it, SO_RCVBUF gets what the limit allows.
    /// </summary>
    private static void EnlargeReceiveQueue(Socket socket)
    {
        const int Bytes = 4 << 20;
        try
        {
            if (OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption(SolSocket, SoRcvBufForce, BitConverter.GetBytes(Bytes));
                return;
            }
        }
        catch (SocketException)
        {
            // No CAP_NET_ADMIN: the plain option below, capped by the kernel.
        }

        socket.ReceiveBufferSize = Bytes;
    }

    /// <summary>A peer written <c>ip:port</c>, or <c>ip</c> meaning our own port.</summary>
    private static IPEndPoint PeerEndPoint(string peer, int defaultPort)
    {
        var endpoint = IPEndPoint.Parse(peer);
        return endpoint.Port != 0 ? endpoint : new IPEndPoint(endpoint.Address, defaultPort);
    }
}

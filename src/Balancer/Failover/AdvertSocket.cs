using System.Net;
using System.Net.Sockets;
using Balancer.Core.Failover;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// The UDP sockets adverts are sent from and received on — one per address of <c>failover.bind</c>, so one per
/// heartbeat path when it lists several (#23) — and the peers' addresses they go to, each from the bind address that
/// matches it (<see cref="HeartbeatSource"/>).
/// </summary>
internal sealed class AdvertSocket : IDisposable
{
    private const int SolSocket = 1;      // Linux <asm-generic/socket.h>
    private const int SoRcvBufForce = 33;
    private static readonly IPEndPoint _anyV4 = new(IPAddress.Any, 0);
    private static readonly IPEndPoint _anyV6 = new(IPAddress.IPv6Any, 0);
    private readonly Socket[] _sockets;
    private readonly (IPEndPoint Peer, Socket From)[] _peers;
    private readonly string?[] _sendErrors; // by peer: the last send failure, logged once until it changes
    private readonly List<Socket> _readable = [];
    private readonly ILogger _logger;
    private readonly byte[] _buffer = new byte[2048];

    private readonly (IPEndPoint Peer, Socket From)? _witness;

    private AdvertSocket(Socket[] sockets, IEnumerable<string> peers, string? witness, ILogger logger)
    {
        _sockets = sockets;
        _logger = logger;
        var locals = sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Address).ToArray();
        _peers = [.. peers.Select(p => PeerEndPoint(p, ((IPEndPoint)sockets[0].LocalEndPoint!).Port))
            .Select(p => (p, sockets[HeartbeatSource.Pick(locals, p.Address)]))];
        if (witness is not null)
        {
            // The witness hears every advert too (#23): that is how it knows the master; it is the last destination.
            var endPoint = PeerEndPoint(witness, ((IPEndPoint)sockets[0].LocalEndPoint!).Port);
            _witness = (endPoint, sockets[HeartbeatSource.Pick(locals, endPoint.Address)]);
            _peers = [.. _peers, _witness.Value];
        }

        _sendErrors = new string?[_peers.Length];
    }

    /// <summary>The addresses adverts are received on, as bound, comma-separated.</summary>
    public string BoundAddress => string.Join(", ", _sockets.Select(s => BindAddress.Format(s.LocalEndPoint)));

    /// <summary>Binds each of <paramref name="binds"/> (dual-stack for <c>[::]</c>).</summary>
    /// <exception cref="StartupException">An address cannot be bound; one line.</exception>
    public static AdvertSocket Bind(IReadOnlyList<string> binds, IEnumerable<string> peers, string? witness, ILogger logger)
    {
        var sockets = new List<Socket>();
        foreach (var bind in binds)
        {
            var endpoint = BindAddress.Parse(bind);
            var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            sockets.Add(socket);
            try
            {
                if (endpoint.Address.Equals(IPAddress.IPv6Any))
                {
                    socket.DualMode = true;
                }

                socket.Bind(endpoint);
                EnlargeReceiveQueue(socket);
            }
            catch (SocketException e)
            {
                sockets.ForEach(s => s.Dispose());
                throw new StartupException($"failover.bind: cannot listen on {bind}: {e.Message}");
            }
        }

        return new AdvertSocket([.. sockets], peers, witness, logger);
    }

    /// <summary>
    /// Sends one datagram to every peer address, each from its matching bind. A path that cannot send (its link is
    /// down: no route) is logged once, and again when it works or fails otherwise; the next advert tries again.
    /// </summary>
    public void Send(ReadOnlySpan<byte> datagram)
    {
        for (var i = 0; i < _peers.Length; i++)
        {
            SendTo(i, datagram);
        }
    }

    /// <summary>Sends a query to the witness alone (the last destination); nothing when there is none.</summary>
    public void SendToWitness(ReadOnlySpan<byte> datagram)
    {
        if (_witness is not null)
        {
            SendTo(_peers.Length - 1, datagram);
        }
    }

    private void SendTo(int i, ReadOnlySpan<byte> datagram)
    {
        var (peer, from) = _peers[i];
        string? error = null;
        try
        {
            from.SendTo(datagram, SocketFlags.None, peer);
        }
        catch (SocketException e)
        {
            // An unreachable peer or path is what failover is for; the next advert tries again.
            error = e.Message;
        }

        if (error != _sendErrors[i])
        {
            _sendErrors[i] = error;
            Log.FailoverSendChanged(_logger, BindAddress.Format(from.LocalEndPoint), peer.ToString(), error ?? "works again");
        }
    }

    /// <summary>Waits up to <paramref name="wait"/> (whole milliseconds) for a datagram on any socket; true when one is ready.</summary>
    public bool Poll(TimeSpan wait)
    {
        if (_sockets.Length == 1)
        {
            return _sockets[0].Poll(wait, SelectMode.SelectRead);
        }

        _readable.Clear();
        _readable.AddRange(_sockets);
        Socket.Select(_readable, null, null, wait);
        return _readable.Count > 0;
    }

    /// <summary>
    /// Hands every datagram that has arrived to <paramref name="received"/>, at most <paramref name="limit"/> per socket,
    /// so that a flood cannot hold the caller's timers off. A failing socket is logged and paused for 10 ms, never spun on.
    /// </summary>
    public void ReceivePending(int limit, Action<ReadOnlySpan<byte>, IPEndPoint> received)
    {
        foreach (var socket in _sockets)
        {
            if (_sockets.Length == 1 || socket.Available > 0)
            {
                ReceivePending(socket, limit, received);
            }
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
        while (_sockets.Any(s => s.Available > 0) && System.Diagnostics.Stopwatch.GetElapsedTime(start) < budget)
        {
            foreach (var socket in _sockets.Where(s => s.Available > 0))
            {
                ReceivePending(socket, 64, received);
            }
        }
    }

    public void Dispose() => Array.ForEach(_sockets, s => s.Dispose());

    private void ReceivePending(Socket socket, int limit, Action<ReadOnlySpan<byte>, IPEndPoint> received)
    {
        for (var i = 0; i < limit && (i == 0 || socket.Available > 0); i++)
        {
            EndPoint from = socket.AddressFamily == AddressFamily.InterNetworkV6 ? _anyV6 : _anyV4;
            int length;
            try
            {
                length = socket.ReceiveFrom(_buffer, SocketFlags.None, ref from);
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

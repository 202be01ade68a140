using System.Net;
using System.Net.Sockets;
using Balancer.Core.Failover;
using Balancer.Failover;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Witness;

/// <summary>
/// <c>balancer witness --bind ADDR --key-file FILE [--peers ADDR,…]</c> (#23): a small process for a third host. It hears
/// the nodes' adverts (they send each to the witness too) and answers their signed queries with the master it hears
/// for the group and how long ago (<see cref="WitnessLedger"/>). One thread, one UDP socket; stops on cancellation.
/// </summary>
internal sealed class WitnessServer : IDisposable
{
    private static readonly TimeSpan _logEvery = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly WitnessLedger _ledger;
    private readonly ILogger _logger;
    private readonly Dictionary<string, long> _refusalsLogged = new(StringComparer.Ordinal);
    private DateTime _lastRefusalLog = DateTime.MinValue;

    private WitnessServer(Socket socket, WitnessLedger ledger, ILogger logger) => (_socket, _ledger, _logger) = (socket, ledger, logger);

    /// <summary>The address it listens on, as bound.</summary>
    public string BoundAddress => BindAddress.Format(_socket.LocalEndPoint);

    /// <summary>Reads the key, checks the peers and binds.</summary>
    /// <exception cref="StartupException">A bad argument, an unusable key file or an address that cannot be bound; one line.</exception>
    public static WitnessServer Start(string bind, string keyFile, IReadOnlyList<string> peers, ILogger logger, TimeProvider time)
    {
        IPEndPoint endpoint;
        try
        {
            endpoint = BindAddress.Parse(bind);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new StartupException($"witness --bind: '{bind}' is not ip:port, [ipv6]:port or *:port");
        }

        var allowed = new List<IPAddress>();
        foreach (var peer in peers)
        {
            if (!IPAddress.TryParse(peer, out var address) && !(IPEndPoint.TryParse(peer, out var endPoint) && (address = endPoint.Address) is not null))
            {
                throw new StartupException($"witness --peers: '{peer}' is not an IP address (or ip:port) of a node");
            }

            allowed.Add(address);
        }

        FailoverKeyRing keys;
        try
        {
            keys = FailoverKeyFile.Read(Path.GetFullPath(keyFile), logger);
        }
        catch (StartupException e)
        {
            throw new StartupException($"witness --key-file: {e.Message.Replace("failover.keyFile: ", "", StringComparison.Ordinal)}");
        }

        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(endpoint);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new StartupException($"witness --bind: cannot listen on {bind}: {e.Message}");
        }

        var server = new WitnessServer(socket, new WitnessLedger(time, keys, allowed, FailoverOptions.DefaultMaxClockSkew), logger);
        Log.WitnessStarted(logger, server.BoundAddress, allowed.Count == 0 ? "from any node with the key" : $"from {string.Join(", ", allowed)} only");
        return server;
    }

    /// <summary>Receives and answers until <paramref name="token"/> is cancelled.</summary>
    public void Run(CancellationToken token)
    {
        // SCHED_RR 10 when permitted (else nice −10), as the nodes' loop: an answer that comes after the nodes' timeout is
        // no answer, and with witness.required false the backup then takes over beside a live master.
        LoopPriority.RaiseCurrentThread(10, _logger);
        var buffer = new byte[2048];
        var masters = new Dictionary<string, string>(StringComparer.Ordinal);
        var splits = new Dictionary<string, string>(StringComparer.Ordinal); // the live masters of each group as last logged
        while (!token.IsCancellationRequested)
        {
            if (!_socket.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead))
            {
                LogRefusals();
                continue;
            }

            EndPoint from = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException)
            {
                continue; // an ICMP error for an earlier answer: nothing to do
            }

            var source = (IPEndPoint)from;
            var adverts = _ledger.Adverts;
            if (_ledger.OnDatagram(buffer.AsSpan(0, length), source.Address) is { } answer)
            {
                try
                {
                    _socket.SendTo(answer, source);
                }
                catch (SocketException)
                {
                    // The node asks again if it still cares.
                }
            }

            if (_ledger.Adverts == adverts)
            {
                continue; // no advert taken: who is master has not changed
            }

            foreach (var (group, master) in _ledger.Masters)
            {
                if (!masters.TryGetValue(group, out var known) || known != master.NodeId)
                {
                    masters[group] = master.NodeId;
                    Log.WitnessMasterChanged(_logger, master.NodeId, group, master.Priority);
                }

                var live = string.Join(", ", _ledger.LiveMasters(group));
                if (live.Contains(',', StringComparison.Ordinal) && splits.GetValueOrDefault(group) != live)
                {
                    Log.WitnessSplitBrain(_logger, live.Count(c => c == ',') + 1, group, live, master.NodeId);
                }

                splits[group] = live;
            }
        }
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>Refusals by reason, at most one line per reason per 10 s: a flood must not flood the log.</summary>
    private void LogRefusals()
    {
        if (DateTime.UtcNow - _lastRefusalLog < _logEvery)
        {
            return;
        }

        _lastRefusalLog = DateTime.UtcNow;
        foreach (var (reason, count) in _ledger.Rejected)
        {
            var logged = _refusalsLogged.GetValueOrDefault(reason);
            if (count > logged)
            {
                Log.WitnessRefused(_logger, count - logged, reason);
                _refusalsLogged[reason] = count;
            }
        }
    }
}

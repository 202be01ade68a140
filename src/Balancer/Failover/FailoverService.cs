using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Balancer.Core.Configuration;
using Balancer.Core.Failover;
using Balancer.Core.Model;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// The I/O around <see cref="FailoverMachine"/>: one UDP socket and one loop that feeds it datagrams and timer ticks
/// (RFC 5798 §6.4 over unicast), checks the tracked pools every advert interval, and applies the actions it returns.
/// Slow side effects (ip, arping, notify hooks) run in order on a worker, off the loop, so adverts are never late.
/// </summary>
internal sealed partial class FailoverService : IAsyncDisposable
{
    private readonly FailoverMachine _machine;
    private readonly Socket _socket;
    private readonly IPEndPoint[] _peers;
    private readonly IVipActions _vips;
    private readonly CommandRunner _runner;
    private readonly PoolRegistry _pools;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly RejectLogLimiter _rejects;
    private readonly byte[] _buffer = new byte[2048];
    private readonly BlockingCollection<Func<Task>> _work = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _shutdownRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _loopDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _workerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FailoverConfig _config;
    private NotifyHooks _hooks;
    private GarpSchedule _garp;
    private TimeSpan _trackAt;
    private TimeSpan _transitionAt;

    /// <summary>A finished action whose log line waits for the one behind it (worker thread only).</summary>
    private (string Action, TimeSpan After)? _deferredDone;
    private int _shutdown;

    private FailoverService(
        FailoverConfig config, byte[] key, UInt128 configHash, Socket socket, IVipActions vips, CommandRunner runner, PoolRegistry pools, ILogger logger, TimeProvider time)
    {
        _config = config;
        _socket = socket;
        _vips = vips;
        _pools = pools;
        _logger = logger;
        _time = time;
        _origin = time.GetTimestamp();
        _rejects = new RejectLogLimiter(time);
        _runner = runner;
        _machine = new FailoverMachine(FailoverOptions.From(config, configHash), key, time);
        _peers = [.. config.Peers.Select(p => PeerEndPoint(p, ((IPEndPoint)socket.LocalEndPoint!).Port))];
        _hooks = new NotifyHooks(config.Notify, config.VirtualIps, _runner);
        _garp = new GarpSchedule(config.GarpRepeat, config.GarpRefresh);
    }

    /// <summary>The UDP address adverts are received on, as bound.</summary>
    public string BoundAddress => BindAddress.Format(_socket.LocalEndPoint);

    /// <summary>The running failover config.</summary>
    public FailoverConfig Config => _config;

    private TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>Reads the key, binds the socket and starts the loop; <paramref name="vips"/> overrides <c>vipAction</c> (tests).</summary>
    /// <exception cref="StartupException">The key file is unusable or the address cannot be bound; one line.</exception>
    public static FailoverService Start(
        FailoverConfig config, string configDirectory, UInt128 configHash, PoolRegistry pools, ILoggerFactory logs, TimeProvider time, IVipActions? vips = null)
    {
        var logger = logs.CreateLogger("Balancer.Failover");
        var key = FailoverKeyFile.Read(Path.GetFullPath(config.KeyFile, configDirectory), logger);
        var socket = BindSocket(config.Bind);
        var runner = new CommandRunner(logger);
        vips ??= config.VipAction == VipActions.Ip && config.Interface is { } device
            ? new IpVipActions(device, config.VirtualIps, runner, logger)
            : new NoVipActions();
        WarmUp(config, key, configHash, time);
        var service = new FailoverService(config, key, configHash, socket, vips, runner, pools, logger, time);
        Log.FailoverStarted(logger, config.NodeId, config.Priority, service.BoundAddress, string.Join(", ", config.Peers), string.Join(", ", config.VirtualIps), config.VipAction);
        if (vips is IpVipActions ip)
        {
            service.Enqueue(ip.CheckInterfaceAsync);
        }

        // Threads of their own, not the pool's: adverts and the virtual IPs must not queue behind proxy work.
        new Thread(service.RunWorker) { IsBackground = true, Name = "failover worker" }.Start();
        new Thread(service.RunLoop) { IsBackground = true, Name = "failover loop" }.Start();
        return service;
    }

    /// <summary>
    /// Starts the shutdown event without waiting: a master's priority-0 advert goes out now, on the caller's thread.
    /// Call it first thing on SIGTERM; <see cref="ShutdownAsync"/> then waits for the hand-over.
    /// </summary>
    public void RequestShutdown()
    {
        if (_shutdownRequested.TrySetResult())
        {
            Apply(_machine.Shutdown());
        }
    }

    /// <summary>
    /// The shutdown event (RFC 5798 §6.4.3): a master sends a priority-0 advert so the peer takes over after its skew
    /// time, keeps the virtual IPs until the peer has taken them (at most <see cref="FailoverMachine.HandoverTimeout"/>),
    /// then removes them; the notify hook runs; then the socket closes. Safe to call twice.
    /// </summary>
    public async Task ShutdownAsync()
    {
        if (Interlocked.Exchange(ref _shutdown, 1) != 0)
        {
            return;
        }

        RequestShutdown();
        var bound = FailoverMachine.HandoverTimeout(_config.AdvertInterval) + TimeSpan.FromSeconds(1);
        await _loopDone.Task.WaitAsync(bound).ContinueWith(_ => { }, TaskScheduler.Default);
        await _stop.CancelAsync();
        await _loopDone.Task.WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default);
        for (var i = 0; i < 2 && _machine.State != FailoverState.Init; i++)
        {
            Apply(_machine.Shutdown()); // the loop failed or overran: resign if not yet done, then leave at once
        }

        _work.CompleteAdding();
        await _workerDone.Task.WaitAsync(TimeSpan.FromSeconds(15)).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync();
        _stop.Dispose();
    }

    /// <summary>
    /// Runs a takeover and a hand-over on a throwaway machine, whose actions are dropped, so that the first real
    /// takeover of this process does not pay for compiling that path (milliseconds, on a crash's critical path).
    /// </summary>
    private static void WarmUp(FailoverConfig config, byte[] key, UInt128 configHash, TimeProvider time)
    {
        var scratch = new FailoverMachine(FailoverOptions.From(config, configHash) with { Priority = 255 }, key, time);
        scratch.Start();
        scratch.Tick();
        scratch.Shutdown();
        scratch.Shutdown();
    }

    private static Socket BindSocket(string bind)
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
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new StartupException($"failover.bind: cannot listen on {bind}: {e.Message}");
        }
    }

    /// <summary>A peer written <c>ip:port</c>, or <c>ip</c> meaning our own port.</summary>
    private static IPEndPoint PeerEndPoint(string peer, int defaultPort)
    {
        var endpoint = IPEndPoint.Parse(peer);
        return endpoint.Port != 0 ? endpoint : new IPEndPoint(endpoint.Address, defaultPort);
    }
}

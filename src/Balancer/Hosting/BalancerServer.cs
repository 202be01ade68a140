using System.Net.Sockets;
using System.Runtime.InteropServices;
using Balancer.Admin;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Http;
using Balancer.Tcp;
using Balancer.Telemetry;

namespace Balancer.Hosting;

/// <summary>
/// The composition root: loads the config, builds the core pools, starts one host per listener
/// and the admin API, and on SIGTERM/SIGINT stops accepting and drains before it returns.
/// </summary>
internal sealed class BalancerServer : IAsyncDisposable
{
    /// <summary>How long in-flight requests may take to finish on shutdown.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(30);

    private readonly ILoggerFactory _logs;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PoolRegistry _pools;
    private readonly List<IListenerHost> _listeners = [];
    private readonly Health.HealthChecker _health;
    private AdminHost? _admin;

    private BalancerServer(RuntimeState state, ILoggerFactory logs, TimeProvider time)
    {
        State = state;
        _logs = logs;
        _time = time;
        _logger = logs.CreateLogger("Balancer");
        _pools = new PoolRegistry(time, Random.Shared);
        _health = new Health.HealthChecker(time, logs.CreateLogger("Balancer.Health"));
    }

    public RuntimeState State { get; }

    public PoolRegistry Pools => _pools;

    /// <summary>The admin API's bound address.</summary>
    public string AdminAddress => _admin?.BoundAddress ?? "";

    public TimeSpan DrainTimeout { get; init; } = DefaultDrainTimeout;

    /// <summary>Loads <paramref name="configPath"/> and starts serving; throws <see cref="StartupException"/> with one clear line on failure.</summary>
    public static async Task<BalancerServer> StartAsync(string configPath, ILoggerFactory logs, TimeProvider time, CancellationToken cancellationToken, TimeSpan? drainTimeout = null)
    {
        var result = ConfigLoader.Load(configPath);
        if (!result.IsValid)
        {
            throw new StartupException(string.Join(Environment.NewLine, result.Errors.Where(e => e.IsError)));
        }

        var config = result.Config!;
        var state = new RuntimeState(configPath, time);
        state.Loaded(config, result.Hash, time.GetUtcNow());
        var server = new BalancerServer(state, logs, time) { DrainTimeout = drainTimeout ?? DefaultDrainTimeout };
        try
        {
            await server.StartListenersAsync(config, cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        Log.ConfigLoaded(server._logger, configPath, result.Hash[..Math.Min(12, result.Hash.Length)], config.Pools.Count, config.Pools.Values.Sum(p => p.Backends.Count), config.Listeners.Count);
        return server;
    }

    /// <summary>Serves until SIGTERM or SIGINT (or <paramref name="stop"/>), then drains and returns.</summary>
    public async Task RunUntilSignalAsync(CancellationToken stop)
    {
        var signalled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            signalled.TrySetResult(context.Signal.ToString());
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var registration = stop.Register(() => signalled.TrySetResult("stop request"));
        var signal = await signalled.Task;
        Log.ShuttingDown(_logger, signal, DrainTimeout.TotalSeconds);
        await StopAsync();
    }

    /// <summary>Stops accepting on every listener at once, then waits for in-flight work up to the drain timeout.</summary>
    public async Task StopAsync()
    {
        using var drain = new CancellationTokenSource(DrainTimeout);
        var stops = _listeners.Select(l => l.StopAsync(drain.Token)).ToList();
        await Task.WhenAll(stops);
        if (_admin is not null)
        {
            await _admin.StopAsync(CancellationToken.None);
        }

        Log.Stopped(_logger);
    }

    public async ValueTask DisposeAsync()
    {
        await _health.DisposeAsync();
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        if (_admin is not null)
        {
            await _admin.DisposeAsync();
        }

        _pools.Dispose();
    }

    private async Task StartListenersAsync(BalancerConfig config, CancellationToken cancellationToken)
    {
        _pools.Load(config);
        foreach (var pool in _pools.Pools.Values)
        {
            _health.Watch(pool);
        }

        foreach (var (name, listener) in config.Listeners)
        {
            IListenerHost host = listener.Protocol == ListenerProtocols.Tcp
                ? await Bind(name, listener.Bind, () => TcpListenerHost.StartAsync(name, config, _pools, _time, _logs, DrainTimeout, cancellationToken))
                : await Bind(name, listener.Bind, () => HttpListenerHost.StartAsync(name, config, _pools, _time, _logs, DrainTimeout, cancellationToken));
            _listeners.Add(host);
            State.BoundListeners[name] = host.BoundAddress;
            Log.ListenerStarted(_logger, name, listener.Protocol, host.BoundAddress);
        }

        _admin = await Bind("admin", config.Admin.Bind, () => AdminHost.StartAsync(State, _pools, _time, _logs, cancellationToken));
        Log.AdminStarted(_logger, _admin.BoundAddress);
    }

    /// <summary>Turns bind failures into one line that names the listener and the address.</summary>
    private static async Task<T> Bind<T>(string name, string address, Func<Task<T>> start)
    {
        try
        {
            return await start();
        }
        catch (IOException e) when (e.InnerException is SocketException or null || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
        {
            throw new StartupException($"listener {name}: cannot listen on {address}: {e.InnerException?.Message ?? e.Message}");
        }
        catch (SocketException e)
        {
            throw new StartupException($"listener {name}: cannot listen on {address}: {e.Message}");
        }
    }
}

/// <summary>A startup failure with a message meant for the operator, printed as one line without a stack trace.</summary>
internal sealed class StartupException(string message) : Exception(message);

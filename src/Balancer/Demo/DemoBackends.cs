using System.Net;
using Balancer.Core.Configuration;

namespace Balancer.Demo;

/// <summary>
/// The demo backends: one per loopback backend address of the demo config. It watches the config file itself (no
/// debounce), so a backend added by a live edit is listening before the balancer's reload (which waits for a quiet
/// 250 ms) probes it, and the new backend goes straight to UP instead of failing its first probe.
/// </summary>
internal sealed class DemoBackends : IAsyncDisposable
{
    private readonly string _configPath;
    private readonly ILoggerFactory _logs;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<IPEndPoint, DemoBackend> _running = [];
    private FileSystemWatcher? _watcher;

    public DemoBackends(string configPath, ILoggerFactory logs)
    {
        _configPath = configPath;
        _logs = logs;
    }

    public IEnumerable<DemoBackend> All => _running.Values;

    /// <summary>Starts a backend for every loopback address of <paramref name="config"/> that has none yet; returns the new ones.</summary>
    public async Task<List<DemoBackend>> SyncAsync(BalancerConfig config, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var started = new List<DemoBackend>();
            foreach (var endpoint in config.Pools.Values.SelectMany(p => p.Backends).Select(b => LoopbackEndpoint(b.Address)).OfType<IPEndPoint>())
            {
                if (!_running.ContainsKey(endpoint))
                {
                    var backend = await DemoBackend.StartAsync($"demo-{_running.Count + 1}", endpoint, _logs, cancellationToken);
                    _running.Add(endpoint, backend);
                    started.Add(backend);
                }
            }

            // One request each first: on a cold process the first answer takes longer than a probe's timeout.
            using var warmUp = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            foreach (var backend in started)
            {
                try
                {
                    using var _ = await warmUp.GetAsync($"http://{backend.BoundAddress}/healthz", cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // The balancer's probes will say what is wrong.
                }
            }

            return started;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>From now on, a saved edit that adds a loopback backend starts a demo backend for it.</summary>
    public void Watch(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(_configPath)!;
        _watcher = new FileSystemWatcher(directory) { IncludeSubdirectories = false, EnableRaisingEvents = true };
        FileSystemEventHandler changed = (_, e) =>
        {
            if (string.Equals(e.FullPath, _configPath, StringComparison.Ordinal))
            {
                _ = OnEditAsync(cancellationToken);
            }
        };
        _watcher.Changed += changed;
        _watcher.Created += changed;
        _watcher.Renamed += (sender, e) => changed(sender, e);
    }

    public async ValueTask DisposeAsync()
    {
        _watcher?.Dispose();
        foreach (var backend in _running.Values)
        {
            await backend.DisposeAsync();
        }
    }

    private async Task OnEditAsync(CancellationToken cancellationToken)
    {
        // A half-written file does not parse: the next event of the same save brings the whole one.
        var result = ConfigLoader.Load(_configPath, ReferencedFileCheck.Skip);
        if (!result.IsValid)
        {
            return;
        }

        try
        {
            foreach (var backend in await SyncAsync(result.Config!, cancellationToken))
            {
                Console.WriteLine($"demo: started demo backend {backend.Name} on {backend.BoundAddress} for the edited config");
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            Console.Error.WriteLine($"demo: cannot start a demo backend for the edited config: {e.Message}");
        }
    }

    private static IPEndPoint? LoopbackEndpoint(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)
            ? new IPEndPoint(ip, uri.Port)
            : null;
}

using System.Net;
using Balancer.Core.Configuration;

namespace Balancer.Demo;

/// <summary>
/// The demo backends: one per loopback backend address of the demo config, and one for each that a live edit adds,
/// started from the balancer's reload before the edit applies (<see cref="BeforeReloadAsync"/>).
/// </summary>
internal sealed class DemoBackends : IAsyncDisposable
{
    private readonly ILoggerFactory _logs;
    private readonly Dictionary<IPEndPoint, DemoBackend> _running = [];

    public DemoBackends(ILoggerFactory logs)
    {
        _logs = logs;
    }

    public IEnumerable<DemoBackend> All => _running.Values;

    /// <summary>
    /// Starts a backend for every loopback address of <paramref name="config"/> that has none yet; returns the new ones.
    /// Called once before the balancer starts, then only from its reload, which runs one at a time.
    /// </summary>
    public async Task<List<DemoBackend>> SyncAsync(BalancerConfig config, CancellationToken cancellationToken)
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

    public async ValueTask DisposeAsync()
    {
        foreach (var backend in _running.Values)
        {
            await backend.DisposeAsync();
        }
    }

    /// <summary>
    /// The balancer's reload hook: an accepted edit that adds a loopback backend starts a demo backend for it before
    /// the reload applies, so the new backend listens before its first probe and goes straight to UP.
    /// </summary>
    public async Task BeforeReloadAsync(BalancerConfig config)
    {
        try
        {
            foreach (var backend in await SyncAsync(config, CancellationToken.None))
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

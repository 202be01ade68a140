using System.Net;
using Balancer.Core.Configuration;
using Balancer.Hosting;

namespace Balancer.Demo;

/// <summary>
/// <c>balancer demo</c>: starts a demo backend for every loopback backend of the demo config,
/// then the balancer in front of them, so a fresh machine answers <c>curl http://127.0.0.1:8080/</c>.
/// </summary>
internal static class DemoCommand
{
    public static async Task<int> RunAsync(string configPath, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var result = ConfigLoader.Load(configPath);
        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine(error);
            }

            return 1;
        }

        var backends = new List<DemoBackend>();
        try
        {
            var n = 0;
            foreach (var pool in result.Config!.Pools.Values)
            {
                foreach (var b in pool.Backends)
                {
                    var endpoint = LoopbackEndpoint(b.Address);
                    if (endpoint is null)
                    {
                        continue;
                    }

                    backends.Add(await DemoBackend.StartAsync($"demo-{++n}", endpoint, logs, cancellationToken));
                }
            }

            using var signals = new ShutdownSignals(); // before starting: a SIGTERM while starting is honoured, not fatal
            await using var server = await BalancerServer.StartAsync(configPath, logs, TimeProvider.System, cancellationToken, TimeSpan.FromSeconds(5));
            foreach (var (name, address) in server.State.BoundListeners)
            {
                Console.WriteLine($"demo: listener {name} on http://{address}/ — try: curl http://{address}/  (repeat it to see the rotation)");
            }

            Console.WriteLine($"demo: {backends.Count} demo backends: {string.Join(", ", backends.Select(b => $"{b.Name} {b.BoundAddress}"))}");
            Console.WriteLine($"demo: admin API on http://{server.AdminAddress}/status — Ctrl+C to stop");
            await server.RunUntilSignalAsync(signals, cancellationToken);
            return 0;
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }
        }
    }

    private static IPEndPoint? LoopbackEndpoint(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)
            ? new IPEndPoint(ip, uri.Port)
            : null;
}

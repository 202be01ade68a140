using Balancer.Core.Configuration;
using Balancer.Hosting;

namespace Balancer.Demo;

/// <summary>
/// <c>balancer demo</c>: starts a demo backend for every loopback backend of the demo config, then the balancer in
/// front of them, so a fresh machine answers <c>curl http://127.0.0.1:8080/</c>. The config is watched like any
/// other (README, "Two commands on a fresh machine", walks through it).
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

        await using var backends = new DemoBackends(logs);
        await backends.SyncAsync(result.Config!, cancellationToken);

        using var signals = new ShutdownSignals(); // before starting: a SIGTERM while starting is honoured, not fatal
        await using var server = await BalancerServer.StartAsync(configPath, logs, TimeProvider.System, cancellationToken, beforeReload: backends.BeforeReloadAsync);
        foreach (var (name, address) in server.State.BoundListeners)
        {
            Console.WriteLine($"demo: listener {name} on http://{address}/ — try: curl http://{address}/  (repeat it to see the rotation)");
        }

        Console.WriteLine($"demo: {backends.All.Count()} demo backends: {string.Join(", ", backends.All.Select(b => $"{b.Name} {b.BoundAddress}"))}");
        Console.WriteLine($"demo: watching {configPath} — edit and save it to reload live");
        Console.WriteLine($"demo: dashboard http://{server.AdminAddress}/, state http://{server.AdminAddress}/status — Ctrl+C to stop");
        await server.RunUntilSignalAsync(signals, cancellationToken);
        return 0;
    }
}

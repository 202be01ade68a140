using System.CommandLine;
using System.Reflection;
using Balancer.Core.Configuration;
using Balancer.Demo;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Cli;

/// <summary>The command line contract of PRODUCT.md: <c>balancer [--config|-f]</c>, <c>check [FILE]</c> (or <c>-c</c>), <c>demo</c>, <c>version</c> (or <c>--version</c>, <c>-v</c>).</summary>
internal static class CommandLine
{
    public const string DefaultConfigPath = "config/balancer.json";
    public const string DemoConfigPath = "config/demo.json";

    /// <summary>The informational version, as <c>--version</c> prints it.</summary>
    private static string Version =>
        typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static async Task<int> RunAsync(string[] args)
    {
        // HAProxy's habits: -f names the config file and -c means "check it" (haproxy -c -f FILE).
        var config = new Option<string>("--config", "-f")
        {
            Description = $"Path of the JSON config file (default {DefaultConfigPath}; {DemoConfigPath} for demo).",
            Recursive = true,
        };
        var checkFlag = new Option<bool>("-c") { Description = "Check the config and exit, as `balancer check` does (balancer -c -f FILE)." };

        var root = new RootCommand("Balancer: an L4/L7 load-balancing reverse proxy with active/standby failover.") { config, checkFlag };
        root.Options.OfType<VersionOption>().Single().Aliases.Add("-v");
        root.SetAction((result, token) => result.GetValue(checkFlag)
            ? CheckAsync(result.GetValue(config) ?? DefaultConfigPath, null, token)
            : Guard(() => RunServerAsync(result.GetValue(config) ?? DefaultConfigPath, token)));

        var diff = new Option<string?>("--diff")
        {
            Description = "Also print what a reload would change, against another config file or a running instance's admin URL (default: the admin.bind of the config).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var file = new Argument<string?>("file") { Description = "The config file (same as --config).", Arity = ArgumentArity.ZeroOrOne };
        var check = new Command("check", "Validate a config file and exit: 0 when valid, 1 with one line per error.") { diff, file };
        check.SetAction((result, token) => CheckAsync(
            result.GetValue(file) ?? result.GetValue(config) ?? DefaultConfigPath, result.GetResult(diff) is null ? null : result.GetValue(diff) ?? "", token));
        root.Subcommands.Add(check);

        var version = new Command("version", "Print the version and exit (same as --version).");
        version.SetAction(_ => Console.WriteLine(Version));
        root.Subcommands.Add(version);

        var demo = new Command("demo", "Run the balancer with three local demo backends (curl http://127.0.0.1:8080/).");
        demo.SetAction((result, token) => Guard(() => RunDemoAsync(result.GetValue(config) ?? DemoConfigPath, token)));
        root.Subcommands.Add(demo);

        var bind = new Option<string>("--bind") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1:5001" };
        var name = new Option<string>("--name") { Description = "Name the backend answers with.", DefaultValueFactory = _ => Environment.MachineName };
        var backend = new Command("demo-backend", "Run one demo backend (used by docker-compose).") { bind, name };
        backend.SetAction((result, token) => Guard(() => RunDemoBackendAsync(result.GetValue(bind)!, result.GetValue(name)!, token)));
        root.Subcommands.Add(backend);

        // Balancer drains on SIGTERM itself; don't let the parser kill the process after 2 s.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    private static async Task<int> CheckAsync(string path, string? diffAgainst, CancellationToken token)
    {
        // A config is often checked on a workstation for another host: files it names only warn.
        var result = ConfigLoader.Load(path, ReferencedFileCheck.Warn);
        foreach (var error in result.Errors)
        {
            Console.Error.WriteLine(error);
        }

        if (!result.IsValid)
        {
            return 1;
        }

        var c = result.Config!;
        Console.WriteLine($"{path}: valid ({c.Listeners.Count} listeners, {c.Pools.Count} pools, {c.Pools.Values.Sum(p => p.Backends.Count)} backends; sha256 {result.Hash})");
        return diffAgainst is null ? 0 : await CheckDiff.PrintAsync(result, diffAgainst, token);
    }

    private static async Task<int> RunServerAsync(string path, CancellationToken token)
    {
        using var logs = Logging.CreateFactory();
        using var signals = new ShutdownSignals(); // before starting: a SIGTERM while starting is honoured, not fatal
        BalancerServer server;
        try
        {
            server = await BalancerServer.StartAsync(path, logs, TimeProvider.System, token);
        }
        catch (StartupException e) when (e.InnerException is { } detail)
        {
            Log.StartupFailureDetail(logs.CreateLogger("Balancer"), e.Message, detail);
            throw;
        }

        await using (server)
        {
            await server.RunUntilSignalAsync(signals, token);
        }

        return 0;
    }

    private static async Task<int> RunDemoAsync(string path, CancellationToken token)
    {
        using var logs = Logging.CreateFactory();
        return await DemoCommand.RunAsync(ResolveShipped(path), logs, token);
    }

    private static async Task<int> RunDemoBackendAsync(string bind, string name, CancellationToken token)
    {
        using var logs = Logging.CreateFactory();
        await using var backend = await DemoBackend.StartAsync(name, BindAddress.Parse(bind), logs, token);
        Console.WriteLine($"demo backend {name} on http://{backend.BoundAddress}/");
        await Task.Delay(Timeout.Infinite, token).ContinueWith(_ => { }, TaskScheduler.Default);
        return 0;
    }

    /// <summary>A relative path that does not exist here is looked up next to the executable (the demo config ships with it).</summary>
    private static string ResolveShipped(string path) =>
        Path.IsPathRooted(path) || File.Exists(path) || !File.Exists(Path.Combine(AppContext.BaseDirectory, path))
            ? path
            : Path.Combine(AppContext.BaseDirectory, path);

    /// <summary>Operator-caused failures end as one line on stderr and exit code 1, never a stack trace.</summary>
    private static async Task<int> Guard(Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (StartupException e)
        {
            Console.Error.WriteLine($"balancer: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException or FormatException)
        {
            Console.Error.WriteLine($"balancer: {e.Message}");
            return 1;
        }
    }
}

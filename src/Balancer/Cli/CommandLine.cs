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

    /// <summary>The informational version, as <c>--version</c> prints it.</summary>
    private static string Version =>
        typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static async Task<int> RunAsync(string[] args)
    {
        // HAProxy's habits: -f names the config file and -c means "check it" (haproxy -c -f FILE).
        var config = new Option<string>("--config", "-f")
        {
            Description = $"Path of the JSON config file (default {DefaultConfigPath}; the repository's config/demo.json for demo).",
            Recursive = true,
        };
        var checkFlag = new Option<bool>("-c") { Description = "Check the config and exit, as `balancer check` does (balancer -c -f FILE)." };
        var strict = new Option<bool>("--strict")
        {
            Description = "With check: a key, token or certificate file that cannot be read here is an error too, not a warning (the systemd unit's pre-start check).",
            Recursive = true,
        };

        var root = new RootCommand("Balancer: an L4/L7 load-balancing reverse proxy with active/standby failover.") { config, checkFlag, strict };
        root.Options.OfType<VersionOption>().Single().Aliases.Add("-v");
        root.SetAction((result, token) => result.GetValue(checkFlag)
            ? CheckCommand.RunAsync(new CheckRequest(result.GetValue(config) ?? DefaultConfigPath, result.GetValue(strict)), token)
            : result.GetValue(strict) ? StrictWithoutCheck()
            : Guard(() => RunServerAsync(result.GetValue(config) ?? DefaultConfigPath, token)));

        var diff = new Option<string?>("--diff")
        {
            Description = "Also print what a reload would change, against another config file, an admin URL, or (no value) the running instance.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var admin = new Option<string?>("--admin")
        {
            Description = "With --diff: the running instance's admin API (default: the instance published in /run/balancer, else the checked file's admin.bind).",
        };
        var tokenFile = new Option<string?>("--token-file")
        {
            Description = "With --diff: the file holding the running instance's admin token (default: its admin.tokenFile).",
        };
        var file = new Argument<string?>("file") { Description = "The config file (same as --config).", Arity = ArgumentArity.ZeroOrOne };
        var check = new Command("check", "Validate a config file and exit: 0 when valid, 1 with one line per error.") { diff, admin, tokenFile, file };
        check.SetAction((result, token) => CheckCommand.RunAsync(
            new CheckRequest(
                result.GetValue(file) ?? result.GetValue(config) ?? DefaultConfigPath,
                result.GetValue(strict),
                result.GetResult(diff) is null ? null : result.GetValue(diff) ?? "",
                result.GetValue(admin),
                result.GetValue(tokenFile)),
            token));
        root.Subcommands.Add(check);

        var version = new Command("version", "Print the version and exit (same as --version).");
        version.SetAction(_ => Console.WriteLine(Version));
        root.Subcommands.Add(version);

        var demo = new Command("demo", "Run the balancer with three local demo backends (curl http://127.0.0.1:8080/).");
        demo.SetAction((result, token) => Guard(() => RunDemoAsync(result.GetValue(config), token)));
        root.Subcommands.Add(demo);

        var bind = new Option<string>("--bind") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1:5001" };
        var name = new Option<string>("--name") { Description = "Name the backend answers with.", DefaultValueFactory = _ => Environment.MachineName };
        var backend = new Command("demo-backend", "Run one demo backend (used by docker-compose).") { bind, name };
        backend.SetAction((result, token) => Guard(() => RunDemoBackendAsync(result.GetValue(bind)!, result.GetValue(name)!, token)));
        root.Subcommands.Add(backend);

        root.Subcommands.Add(WitnessCommand());

        // Balancer drains on SIGTERM itself; don't let the parser kill the process after 2 s.
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary><c>balancer witness --bind ADDR --key-file FILE [--peers ADDR …]</c>: the third host of #23.</summary>
    private static Command WitnessCommand()
    {
        var bind = new Option<string>("--bind") { Description = "UDP address to listen on, ip:port (the nodes' failover.witness.address).", Required = true };
        var keyFile = new Option<string>("--key-file") { Description = "The pair's key file (failover.keyFile): adverts and queries are verified, answers signed with it.", Required = true };
        var peers = new Option<string[]>("--peers")
        {
            Description = "The nodes' addresses (ip or ip:port, every heartbeat path); when given, datagrams from any other address are refused.",
            AllowMultipleArgumentsPerToken = true,
        };
        var witness = new Command("witness", "Run a witness for a failover pair on a third host: it hears the adverts and tells a node whether the master it cannot hear is alive.") { bind, keyFile, peers };
        witness.SetAction((result, token) => Guard(() => Task.Run(() =>
        {
            using var logs = Logging.CreateFactory();
            var peerList = (result.GetValue(peers) ?? []).SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            using var server = Witness.WitnessServer.Start(result.GetValue(bind)!, result.GetValue(keyFile)!, peerList, logs.CreateLogger("Balancer.Witness"), TimeProvider.System);

            // A thread of its own, raised like the nodes' advert loop: a late answer makes a backup take over.
            var loop = new Thread(() => server.Run(token)) { IsBackground = true, Name = "witness loop" };
            loop.Start();
            loop.Join();
            return 0;
        }, CancellationToken.None)));
        return witness;
    }

    private static Task<int> StrictWithoutCheck()
    {
        Console.Error.WriteLine("balancer: --strict applies to check: balancer check --strict --config FILE (or balancer -c --strict -f FILE)");
        return Task.FromResult(2);
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

    private static async Task<int> RunDemoAsync(string? path, CancellationToken token)
    {
        using var logs = Logging.CreateFactory();
        return await DemoCommand.RunAsync(DemoConfigLocator.Locate(path, Directory.GetCurrentDirectory(), AppContext.BaseDirectory), logs, token);
    }

    private static async Task<int> RunDemoBackendAsync(string bind, string name, CancellationToken token)
    {
        using var logs = Logging.CreateFactory();
        await using var backend = await DemoBackend.StartAsync(name, BindAddress.Parse(bind), logs, token);
        Console.WriteLine($"demo backend {name} on http://{backend.BoundAddress}/");
        await Task.Delay(Timeout.Infinite, token).ContinueWith(_ => { }, TaskScheduler.Default);
        return 0;
    }

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

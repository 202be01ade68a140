using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Balancer.Chaos;

/// <summary>The command line of <c>balancer-chaos run</c>.</summary>
internal sealed record RunOptions
{
    public string Mode { get; init; } = "backends";

    public int Seed { get; init; } = Random.Shared.Next(1, 1_000_000);

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    public string BalancerDll { get; init; } = "";

    public string? Work { get; init; }

    /// <summary>Requests per second the load keeps up (all connections together).</summary>
    public double Rate { get; init; } = 200;

    public int Connections { get; init; } = 8;

    /// <summary>One request in this many is a POST with a body.</summary>
    public int PostEvery { get; init; } = 5;

    public int Backends { get; init; } = 4;

    /// <summary>The algorithm of the first config (the schedule changes it later).</summary>
    public string Algorithm { get; init; } = "least-connections";

    public bool Keep { get; init; }

    /// <summary>Where the figures go as JSON, if anywhere.</summary>
    public string? Json { get; init; }

    /// <summary>The command that replays this run's schedule.</summary>
    public string Replay => $"bench/chaos/run.sh --mode {Mode} --seed {Seed} --duration {Duration.TotalSeconds:0}{(Algorithm == "least-connections" ? "" : $" --algorithm {Algorithm}")}";

    public static RunOptions Parse(string[] args)
    {
        var options = new RunOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--mode" => options with { Mode = Value() },
                "--seed" => options with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--balancer" => options with { BalancerDll = Path.GetFullPath(Value()) },
                "--work" => options with { Work = Path.GetFullPath(Value()) },
                "--rate" => options with { Rate = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--connections" => options with { Connections = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--backends" => options with { Backends = int.Parse(Value(), CultureInfo.InvariantCulture) },
                "--algorithm" => options with { Algorithm = Value() },
                "--json" => options with { Json = Path.GetFullPath(Value()) },
                "--keep" => options with { Keep = true },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        if (!File.Exists(options.BalancerDll))
        {
            throw new ArgumentException($"--balancer: no such file '{options.BalancerDll}' (the balancer.dll to test)");
        }

        return options.Mode is "backends" or "pair" ? options : throw new ArgumentException("--mode: backends or pair");
    }

    /// <summary>Ports free on 127.0.0.1 now (bound and released).</summary>
    public static int[] FreePorts(int count)
    {
        var sockets = Enumerable.Range(0, count).Select(_ =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return s;
        }).ToList();
        var ports = sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToArray();
        sockets.ForEach(s => s.Dispose());
        return ports;
    }
}

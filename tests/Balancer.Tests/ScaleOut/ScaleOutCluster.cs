using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Balancer.Tests.Common;
using Balancer.Tests.Failover;

namespace Balancer.Tests.ScaleOut;

/// <summary>
/// An ECMP tier in <see cref="EcmpTopology"/>: three demo backends; on each node a Balancer that announces
/// 198.18.10.100 on <c>lo</c> while its pool has a healthy backend, and a BIRD that exports it to the router's BIRD,
/// which spreads the client's flows over the nodes. Every process is this cluster's own and is killed by PID on
/// dispose, with the namespaces.
/// </summary>
public sealed class ScaleOutCluster : IAsyncDisposable
{
    public const int Port = 8080;
    public const int BackendCount = 3;

    private readonly BirdDaemon?[] _birds = new BirdDaemon?[EcmpTopology.NodeCount + 1];
    private readonly BalancerProcess?[] _nodes = new BalancerProcess?[EcmpTopology.NodeCount + 1];
    private readonly List<BalancerProcess> _backends = [];
    private readonly bool _bfd;
    private BirdDaemon? _router;

    private ScaleOutCluster(EcmpTopology net, bool bfd)
    {
        Net = net;
        _bfd = bfd;
        Directory = System.IO.Directory.CreateTempSubdirectory("balancer-ecmp-").FullName;
        Client = new NetnsSockets(net.Client);
    }

    public EcmpTopology Net { get; }

    /// <summary>Creates sockets in the client namespace.</summary>
    public NetnsSockets Client { get; }

    public string Directory { get; }

    /// <summary>Builds the namespaces and starts backends, routing daemons and the three Balancers; returns once the router spreads over all three.</summary>
    /// <param name="bfd">BFD between each node's BIRD and the router's.</param>
    /// <param name="withdrawDelay">The nodes' <c>announce.withdrawDelay</c>.</param>
    public static async Task<ScaleOutCluster> StartAsync(bool bfd = false, string withdrawDelay = "1s")
    {
        var cluster = new ScaleOutCluster(EcmpTopology.Create(), bfd);
        try
        {
            await cluster.StartAllAsync(withdrawDelay);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Node <paramref name="i"/>'s Balancer (1-based).</summary>
    public BalancerProcess Node(int i) => _nodes[i] ?? throw new InvalidOperationException($"node {i} is not running");

    /// <summary>Starts node <paramref name="i"/>'s Balancer again (after a stop), with the same config.</summary>
    public BalancerProcess RestartBalancer(int i)
    {
        _nodes[i]?.Dispose();
        return _nodes[i] = BalancerProcess.StartInNamespace(Net.Node(i), "--config", ConfigPath(i));
    }

    /// <summary>Waits until the router forwards the announced address to exactly <paramref name="nodes"/>; how long that took.</summary>
    public async Task<TimeSpan> WaitForNextHopsAsync(IEnumerable<int> nodes, TimeSpan timeout)
    {
        var want = nodes.Select(EcmpTopology.NodeAddress).Order(StringComparer.Ordinal).ToArray();
        var watch = Stopwatch.StartNew();
        await Wait.Until(() => Net.VipNextHops().SequenceEqual(want), timeout, $"router next hops [{string.Join(", ", want)}] (now [{string.Join(", ", Net.VipNextHops())}])");
        return watch.Elapsed;
    }

    /// <summary>
    /// Node <paramref name="i"/>'s <c>/status</c>, fetched inside its namespace; up to three tries, because on a machine
    /// loaded far past its cores one <c>ip netns exec curl</c> has been seen to take more than 10 s.
    /// </summary>
    public JsonElement Status(int i)
    {
        var errors = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (code, output) = NetnsTopology.Run("ip", "netns", "exec", Net.Node(i), "curl", "-sS", "-m", "9", "http://127.0.0.1:9901/status");
            if (code == 0)
            {
                return JsonDocument.Parse(output).RootElement.Clone();
            }

            errors.Add(output.Trim());
        }

        throw new InvalidOperationException($"node {i} /status: {string.Join("; ", errors)}");
    }

    /// <summary>
    /// A dead host: node <paramref name="i"/>'s switch port goes dark (the router's link stays up and hears nothing more),
    /// then its Balancer and BIRD get SIGKILL. Returns, by <paramref name="clock"/>, when the <c>ip</c> command that
    /// darkens the port started and when it had run: the port went dark in between, near the end.
    /// </summary>
    public (TimeSpan Started, TimeSpan Dark) Crash(int i, Stopwatch clock)
    {
        var started = clock.Elapsed;
        Net.Isolate(i);
        var dark = clock.Elapsed;
        Node(i).Signal(9);
        _birds[i]?.Kill();
        return (started, dark);
    }

    /// <summary>kill -9 of node <paramref name="i"/>'s Balancer and BIRD, its host alive: the kernel closes the BGP session at once. Returns when, by <paramref name="clock"/>.</summary>
    public TimeSpan KillProcesses(int i, Stopwatch clock)
    {
        var at = clock.Elapsed;
        _birds[i]?.Kill();
        Node(i).Signal(9);
        return at;
    }

    /// <summary>Brings a crashed node <paramref name="i"/> back: its port lit, its BIRD and Balancer started; returns once the router uses it again.</summary>
    public async Task RecoverAsync(int i)
    {
        Net.Isolate(i, dark: false);
        _birds[i]?.Dispose();
        _birds[i] = BirdDaemon.Start(Net.Node(i), $"node{i}", BirdDaemon.NodeConfig(i, _bfd), Directory);
        RestartBalancer(i);
        await WaitForNextHopsAsync(Enumerable.Range(1, EcmpTopology.NodeCount), TimeSpan.FromSeconds(60));
        await WarmUpAsync(i);
    }

    /// <summary>Node <paramref name="i"/>'s backends become unreachable from it alone (a prohibit route), or reachable again.</summary>
    public void CutBackends(int i, bool cut) =>
        NetnsTopology.Ip("-n", Net.Node(i), "route", cut ? "add" : "del", "prohibit", $"{EcmpTopology.BackendAddress}/32");

    /// <summary>Every process's output, for a failed test.</summary>
    public string Logs() =>
        string.Join("\n", _nodes.Select((n, i) => n is null ? "" : $"--- node {i} (pid {n.Id})\n{n.Stdout}{n.Stderr}")
            .Concat(_birds.Select((b, i) => b is null ? "" : $"--- bird node {i}\n{b.Log}"))
            .Append(_router is null ? "" : $"--- bird router\n{_router.Log}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _nodes.OfType<BalancerProcess>().Concat(_backends))
        {
            process.Dispose();
        }

        foreach (var bird in _birds.Append(_router).OfType<BirdDaemon>())
        {
            bird.Dispose();
        }

        Client.Dispose();
        Net.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
        await Task.CompletedTask;
    }

    private string ConfigPath(int i) => Path.Combine(Directory, $"node{i}.json");

    private async Task StartAllAsync(string withdrawDelay)
    {
        for (var b = 1; b <= BackendCount; b++)
        {
            _backends.Add(BalancerProcess.StartInNamespace(Net.Backend, "demo-backend", "--bind", $"{EcmpTopology.BackendAddress}:{8080 + b}", "--name", $"b{b}"));
        }

        _router = BirdDaemon.Start(Net.Router, "router", BirdDaemon.RouterConfig(_bfd), Directory);
        for (var i = 1; i <= EcmpTopology.NodeCount; i++)
        {
            _birds[i] = BirdDaemon.Start(Net.Node(i), $"node{i}", BirdDaemon.NodeConfig(i, _bfd), Directory);
            File.WriteAllText(ConfigPath(i), NodeConfig(withdrawDelay));
            RestartBalancer(i);
        }

        await WaitForNextHopsAsync(Enumerable.Range(1, EcmpTopology.NodeCount), TimeSpan.FromSeconds(60));
        await Task.WhenAll(Enumerable.Range(1, EcmpTopology.NodeCount).Select(WarmUpAsync));
    }

    /// <summary>A few requests straight to node <paramref name="i"/>'s own address, so that measurements do not pay for its first requests' JIT.</summary>
    private async Task WarmUpAsync(int i)
    {
        var node = new IPEndPoint(IPAddress.Parse(EcmpTopology.NodeAddress(i)), Port);
        var served = 0;
        for (var n = 0; n < 50 && served < 20; n++)
        {
            try
            {
                served += (await ProbeConnection.GetOnceAsync(Client, node, "/", "", TimeSpan.FromSeconds(10))).Status == 200 ? 1 : 0;
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>
    /// A node's config: a hash pool keyed by <c>X-Key</c> with an affinity cookie (so the same client reaches the same
    /// backend through any node), probed every 200 ms, tracked by the announcement; checks every 100 ms.
    /// </summary>
    private static string NodeConfig(string withdrawDelay) => $$"""
        {
          "listeners": { "web": { "bind": "*:{{Port}}", "routes": [ { "pool": "web" } ] } },
          "pools": {
            "web": {
              "algorithm": "hash", "hashKey": "header:X-Key", "affinity": { "cookie": "BLB" },
              "health": { "probe": "http", "path": "/healthz", "interval": "200ms", "timeout": "1s", "rise": 1, "fall": 2 },
              "backends": [ {{string.Join(", ", Enumerable.Range(1, BackendCount).Select(b => $"{{ \"address\": \"http://{EcmpTopology.BackendAddress}:{8080 + b}\" }}"))}} ]
            }
          },
          "announce": {
            "virtualIps": ["{{EcmpTopology.Vip}}/32"], "interface": "lo", "track": { "pools": ["web"] },
            "interval": "100ms", "rise": 3, "fall": 1, "withdrawDelay": "{{withdrawDelay}}"
          },
          "admin": { "bind": "127.0.0.1:9901" }
        }
        """;
}

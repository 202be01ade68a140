using System.Diagnostics;
using System.Text;
using Balancer.Tests.Failover;

namespace Balancer.Tests.ScaleOut;

/// <summary>
/// BIRD 2 (Debian <c>bird2</c>) in a namespace, in the foreground, with its own control socket: the router that merges
/// the nodes' equal routes into one multipath route (ECMP), or a node's daemon that exports the announced addresses
/// on <c>lo</c> over eBGP. Hold time 3 s (keepalives every second): the least RFC 4271 §4.2 allows. With
/// <c>bfd</c>, BFD at 100 ms × 3 on the LAN tells a dead peer in ~300 ms (RFC 5880), the BGP session going down with it.
/// </summary>
public sealed class BirdDaemon : IDisposable
{
    /// <summary>BGP timers and retries short enough for tests: a session comes up within a second or two of both ends starting.</summary>
    private const string SessionTimers = "hold time 3; keepalive time 1; connect delay time 1; connect retry time 1; error wait time 1, 5;";

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private BirdDaemon(Process process, string socket)
    {
        _process = process;
        Socket = socket;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Socket { get; }

    public int Id => _process.Id;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>True when <c>bird</c> and <c>birdc</c> are installed.</summary>
    public static bool Installed => Find("bird") is not null && Find("birdc") is not null;

    /// <summary>The router: eBGP to every node (AS 65000 to 65001), routes to the announced range only, merged into multipath routes.</summary>
    public static string RouterConfig(bool bfd) => $$"""
        log stderr all;
        router id {{EcmpTopology.RouterAddress}};
        protocol device { scan time 10; }
        protocol kernel { ipv4 { import none; export all; }; merge paths on; }
        {{(bfd ? Bfd : "")}}
        template bgp node {
          local {{EcmpTopology.RouterAddress}} as 65000; {{SessionTimers}} {{(bfd ? "bfd on;" : "")}}
          ipv4 { import where net ~ [ 198.18.10.0/24{32,32} ]; export none; };
        }
        {{string.Join("\n", Enumerable.Range(1, EcmpTopology.NodeCount).Select(i => $"protocol bgp node{i} from node {{ neighbor {EcmpTopology.NodeAddress(i)} as 65001; }}"))}}
        """;

    /// <summary>Node <paramref name="i"/>: exports the announced addresses Balancer puts on <c>lo</c> (the <c>direct</c> protocol sees them come and go).</summary>
    public static string NodeConfig(int i, bool bfd) => $$"""
        log stderr all;
        router id {{EcmpTopology.NodeAddress(i)}};
        protocol device { scan time 10; }
        protocol direct announced { ipv4 { import where net ~ [ 198.18.10.0/24{32,32} ]; }; interface "lo"; }
        {{(bfd ? Bfd : "")}}
        protocol bgp uplink {
          local {{EcmpTopology.NodeAddress(i)}} as 65001; neighbor {{EcmpTopology.RouterAddress}} as 65000; {{SessionTimers}} {{(bfd ? "bfd on;" : "")}}
          ipv4 { import none; export where proto = "announced"; next hop self; };
        }
        """;

    /// <summary>Writes <paramref name="config"/> into <paramref name="directory"/> and runs <c>bird -f</c> in <paramref name="netns"/>.</summary>
    public static BirdDaemon Start(string netns, string name, string config, string directory)
    {
        var file = Path.Combine(directory, $"bird-{name}.conf");
        var socket = Path.Combine(directory, $"bird-{name}.ctl");
        File.WriteAllText(file, config);
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "netns", "exec", netns, Find("bird")!, "-f", "-c", file, "-s", socket })
        {
            info.ArgumentList.Add(arg);
        }

        return new BirdDaemon(Process.Start(info)!, socket);
    }

    /// <summary>How many BGP sessions are Established, by <c>birdc show protocols</c>.</summary>
    public int EstablishedSessions() =>
        NetnsTopology.Run(Find("birdc")!, "-s", Socket, "show", "protocols").Output.Split('\n').Count(l => l.Contains("Established", StringComparison.Ordinal));

    /// <summary>kill -9: no goodbye to the peer (a dead host, when its link is dark too).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.WaitForExit(5000);
        _process.Dispose();
    }

    private const string Bfd = """protocol bfd { interface "eth0" { min rx interval 100 ms; min tx interval 100 ms; multiplier 3; }; }""";

    internal static string? Find(string tool) =>
        new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }.Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}

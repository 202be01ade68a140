using System.Text.Json;

namespace Balancer.Chaos.Pair;

/// <summary>
/// One Balancer of the pair in its namespace: its config (written anew at each start, with the preempt the schedule
/// chose), its process, its link, and its /status read from inside the namespace.
/// </summary>
internal sealed class PairNode(string nodeId, int priority, string netns, string address, string peer, string work, string balancerDll, string keyFile)
{
    public const int AdvertIntervalMs = 100;

    private ChildProcess? _process;

    public string NodeId { get; } = nodeId;

    public int Priority { get; } = priority;

    public string Netns { get; } = netns;

    public string LogPath => Path.Combine(work, $"{NodeId}.log");

    /// <summary>RFC 5798 §6.1 Master_Down_Interval of this node as a backup, in ms.</summary>
    public double MasterDownMs => (3 * AdvertIntervalMs) + ((256 - Priority) * AdvertIntervalMs / 256.0);

    public bool Running => _process is { HasExited: false };

    public bool Stopped { get; private set; }

    public bool LinkUp { get; private set; } = true;

    public bool Preempt { get; private set; }

    /// <summary>Running, not frozen, its link up, and ready: a node that can act on the virtual IP.</summary>
    public bool Live => Running && !Stopped && LinkUp && Ready;

    public bool Ready { get; private set; }

    /// <summary>Writes the config with <paramref name="preempt"/>, starts the process and waits until its admin API answers.</summary>
    public async Task StartAsync(bool preempt, TimeSpan timeout)
    {
        Preempt = preempt;
        var config = Path.Combine(work, $"{NodeId}.json");
        File.WriteAllText(config, $$"""
            {
              "listeners": { "web": { "bind": "0.0.0.0:8080", "routes": [ { "pool": "web" } ] } },
              "pools": { "web": { "backends": [ { "address": "http://{{PairTopology.BackendAddress}}:8080" } ] } },
              "failover": {
                "nodeId": "{{NodeId}}", "priority": {{Priority}}, "preempt": {{(preempt ? "true" : "false")}},
                "bind": "{{address}}:7946", "peers": ["{{peer}}:7946"], "advertInterval": "{{AdvertIntervalMs}}ms",
                "keyFile": "{{keyFile}}", "vipAction": "ip", "interface": "eth0", "virtualIps": ["{{PairTopology.VirtualIp}}/24"]
              },
              "admin": { "bind": "127.0.0.1:9901" }
            }
            """);
        File.AppendAllText(LogPath, $"=== {DateTime.Now:HH:mm:ss.fff} chaos: start (preempt {preempt})\n");
        Ready = false;
        Stopped = false;
        _process = ChildProcess.Start(LogPath, ["ip", "netns", "exec", Netns, "dotnet", balancerDll, "--config", config]);
        var deadline = DateTime.UtcNow + timeout;
        while (Status() is null)
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"{NodeId} did not start (see {LogPath})");
            }

            await Task.Delay(50);
        }

        Ready = true;
    }

    public void Kill()
    {
        Note("kill -9");
        // Not live from the signal on: KillNow waits for the exit, which took ~350 ms on a busy host, and a killed
        // node's leftover address counted as a second holder meanwhile (the first seed-1 run of docs/benchmarks.md).
        Ready = false;
        Stopped = false;
        _process?.KillNow();
    }

    /// <summary>SIGTERM and wait for the graceful exit (hand-over, drain).</summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        Note("SIGTERM");
        _process?.Signal(ChildProcess.SigTerm);
        var exited = _process is null || await _process.WaitForExitAsync(timeout);
        Ready = false;
        return exited;
    }

    public void Freeze(bool frozen)
    {
        Note(frozen ? "SIGSTOP" : "SIGCONT");
        _process?.Signal(frozen ? ChildProcess.SigStop : ChildProcess.SigCont);
        Stopped = frozen;
    }

    public void SetLink(bool up)
    {
        Note(up ? "link up" : "link down");
        Shell.Ip("-n", Netns, "link", "set", "eth0", up ? "up" : "down");
        LinkUp = up;
    }

    /// <summary>The host comes back from a crash: the virtual IP, added at run time, is gone; the link comes up.</summary>
    public void Reboot()
    {
        Note("reboot: virtual IP gone, link up");
        Shell.Run("ip", "-n", Netns, "addr", "del", $"{PairTopology.VirtualIp}/24", "dev", "eth0");
        SetLink(up: true);
    }

    /// <summary>The node's failover state from its /status, or null when it does not answer.</summary>
    public string? Status()
    {
        var (code, output) = Shell.Run("ip", "netns", "exec", Netns, "curl", "-s", "-m", "1", "http://127.0.0.1:9901/status");
        if (code != 0)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(output);
            return json.RootElement.GetProperty("failover").GetProperty("state").GetString();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void Note(string what) => File.AppendAllText(LogPath, $"=== {DateTime.Now:HH:mm:ss.fff} chaos: {what}\n");
}

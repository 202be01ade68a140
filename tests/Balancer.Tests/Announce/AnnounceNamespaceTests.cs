using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Balancer.Tests.Common;
using Balancer.Tests.Failover;
using Balancer.Tests.ScaleOut;
using Xunit.Abstractions;

namespace Balancer.Tests.Announce;

/// <summary>
/// One real Balancer in a network namespace announcing on an interface of its own (vip0), with a client in a second namespace
/// routed to the node: what the kernel holds (the address with its lifetime, the local route), a stopped process's
/// address expiring, a reload adding an address, and SIGTERM's order — the address goes at once, the node keeps
/// serving and asks kept-alive clients of the address to reconnect, then exits and stops taking its traffic.
/// </summary>
public sealed class AnnounceNamespaceTests(ITestOutputHelper output) : IDisposable
{
    private const string Vip = "198.18.20.1";
    private const string NodeAddress = "198.18.4.1";
    private static readonly TimeSpan _timeout = TimeSpan.FromSeconds(30);
    private readonly string _suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
    private readonly List<string> _namespaces = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("balancer-announce-").FullName;

    private string Node => $"blb-an-{_suffix}";

    private string Client => $"blb-ac-{_suffix}";

    [RootFact]
    public async Task Balancer_OnItsOwnInterface_AnnouncesExpiresWhenStoppedReloadsAndWithdrawsFirstOnSigterm()
    {
        RootFactAttribute.RequireRoot();
        Build();
        using var client = new NetnsSockets(Client);
        using var backend = BalancerProcess.StartInNamespace(Node, "demo-backend", "--bind", "127.0.0.1:18081", "--name", "b1");
        var config = Path.Combine(_dir, "balancer.json");
        File.WriteAllText(config, Config($"\"{Vip}/32\""));
        using var balancer = BalancerProcess.StartInNamespace(Node, "--config", config);
        try
        {
            await Wait.Until(() => Addresses().Contains($"{Vip}/32", StringComparison.Ordinal), _timeout, "the address on vip0");
            Assert.Contains("valid_lft 2sec", NetnsTopology.Ip("-n", Node, "addr", "show", "dev", "vip0"), StringComparison.Ordinal);
            Assert.Contains($"local {Vip} dev lo proto static", NetnsTopology.Ip("-n", Node, "route", "show", "table", "local"), StringComparison.Ordinal);
            var status = JsonDocument.Parse(Admin("/status")).RootElement.GetProperty("announce");
            Assert.Equal(("announced", true, "vip0"), (status.GetProperty("state").GetString(), status.GetProperty("inSync").GetBoolean(), status.GetProperty("interface").GetString()));
            var metrics = Admin("/metrics");
            Assert.Contains("balancer_announce_state{state=\"announced\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("balancer_announce_transitions_total 1", metrics, StringComparison.Ordinal);
            Promtool(metrics);
            var l4 = await ProbeConnection.GetOnceAsync(client, new IPEndPoint(IPAddress.Parse(Vip), 8443), "/", "", TimeSpan.FromSeconds(10));
            Assert.Equal(200, l4.Status); // a second listener, tcp, behind the same address

            // A stopped process renews nothing: the kernel drops the address (so the route goes); back, it rises again.
            balancer.Signal(19);
            var stopped = Stopwatch.StartNew();
            await Wait.Until(() => !Addresses().Contains(Vip, StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the kernel expiring the address of a stopped process");
            output.WriteLine($"SIGSTOP: the address expired after {stopped.ElapsedMilliseconds} ms (lifetime 2 s)");
            balancer.Signal(18);
            await Wait.Until(() => Addresses().Contains(Vip, StringComparison.Ordinal), _timeout, "the address back after SIGCONT");
            Assert.Contains("Announced -> Withdrawn: no check for", balancer.Stdout, StringComparison.Ordinal);

            File.WriteAllText(config, Config($"\"{Vip}/32\", \"198.18.20.2/32\""));
            balancer.Signal(1);
            await Wait.Until(() => Addresses().Contains("198.18.20.2/32", StringComparison.Ordinal), _timeout, "the reloaded second address");

            await SigtermAsync(client, balancer);
        }
        catch
        {
            output.WriteLine($"--- balancer\n{balancer.Stdout}{balancer.Stderr}");
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var netns in _namespaces)
        {
            NetnsTopology.Run("ip", "netns", "del", netns);
        }

        Directory.Delete(_dir, recursive: true);
    }

    private async Task SigtermAsync(NetnsSockets client, BalancerProcess balancer)
    {
        var vip = new IPEndPoint(IPAddress.Parse(Vip), 8080);
        await using var toVip = await ProbeConnection.ConnectAsync(client, vip, CancellationToken.None);
        await using var toNode = await ProbeConnection.ConnectAsync(client, new IPEndPoint(IPAddress.Parse(NodeAddress), 8080), CancellationToken.None);
        Assert.False((await toVip.GetAsync("/", "", CancellationToken.None)).Closes);

        var stop = Stopwatch.StartNew();
        balancer.Signal(15);
        await Wait.Until(() => !Addresses().Contains(Vip, StringComparison.Ordinal), TimeSpan.FromSeconds(5), "the address gone at once on SIGTERM");
        var withdrawn = stop.Elapsed;

        // Within withdrawDelay (2 s): served, and clients of the withdrawn address are asked to come back on a new connection.
        var onVip = await toVip.GetAsync("/", "", CancellationToken.None);
        var onNode = await toNode.GetAsync("/", "", CancellationToken.None);
        var fresh = await ProbeConnection.GetOnceAsync(client, vip, "/", "", TimeSpan.FromSeconds(5));
        var during = stop.Elapsed;
        Assert.True(during < TimeSpan.FromSeconds(2), $"the checks took until {during}");
        Assert.Equal((200, true), (onVip.Status, onVip.Closes));
        Assert.Equal((200, false), (onNode.Status, onNode.Closes));
        Assert.Equal(200, fresh.Status); // the local route still takes the withdrawn address's connections in

        Assert.Equal(0, await balancer.WaitForExitAsync(_timeout));
        output.WriteLine($"SIGTERM: address gone after {withdrawn.TotalMilliseconds:0} ms, served until {during.TotalMilliseconds:0} ms, exited after {stop.ElapsedMilliseconds} ms (withdrawDelay 2 s)");
        Assert.True(stop.Elapsed >= TimeSpan.FromSeconds(2), "exited before withdrawDelay");
        Assert.DoesNotContain($"local {Vip} dev lo proto static", NetnsTopology.Ip("-n", Node, "route", "show", "table", "local"), StringComparison.Ordinal);
    }

    private void Build()
    {
        foreach (var netns in new[] { Node, Client })
        {
            NetnsTopology.Ip("netns", "add", netns);
            _namespaces.Add(netns);
            NetnsTopology.Ip("-n", netns, "link", "set", "lo", "up");
        }

        NetnsTopology.Ip("link", "add", "eth0", "netns", Node, "type", "veth", "peer", "name", "eth0", "netns", Client);
        NetnsTopology.Ip("-n", Node, "addr", "add", $"{NodeAddress}/24", "dev", "eth0");
        NetnsTopology.Ip("-n", Client, "addr", "add", "198.18.4.2/24", "dev", "eth0");
        NetnsTopology.Ip("-n", Node, "link", "set", "eth0", "up");
        NetnsTopology.Ip("-n", Client, "link", "set", "eth0", "up");
        NetnsTopology.Ip("-n", Client, "route", "add", "198.18.20.0/24", "via", NodeAddress); // the router's job, here a static route
        // A dummy interface where the kernel has the module; the test machines' kernels do not, so a veth pair whose
        // other end leads nowhere stands in: for addresses and the routing daemon they are the same.
        NetnsTopology.Ip("-n", Node, "link", "add", "vip0", "type", "veth", "peer", "name", "vip0-peer");
        NetnsTopology.Ip("-n", Node, "link", "set", "vip0", "up");
        NetnsTopology.Ip("-n", Node, "link", "set", "vip0-peer", "up");
    }

    /// <summary><c>promtool check metrics</c> finds nothing to say about the announce instruments (CI has promtool; elsewhere it may be missing).</summary>
    private static void Promtool(string scrape)
    {
        if (new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists) is not { } promtool)
        {
            Assert.True(Environment.GetEnvironmentVariable("CI") != "true", "promtool is missing: .ci/run installs Debian's prometheus package");
            return;
        }

        using var process = Process.Start(new ProcessStartInfo(promtool, "check metrics") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(scrape);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(30_000), "promtool did not finish");
        var output = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0 && output.Trim().Length == 0, $"promtool check metrics (exit {process.ExitCode}):\n{output}");
    }

    private string Addresses() => NetnsTopology.Ip("-n", Node, "-brief", "addr", "show", "dev", "vip0");

    private string Admin(string path)
    {
        var (code, body) = NetnsTopology.Run("ip", "netns", "exec", Node, "curl", "-sS", "-m", "10", $"http://127.0.0.1:9901{path}");
        return code == 0 ? body : throw new InvalidOperationException($"{path}: {body}");
    }

    private static string Config(string vips) => $$"""
        {
          "listeners": { "web": { "bind": "*:8080", "routes": [ { "pool": "web" } ] },
                         "raw": { "protocol": "tcp", "bind": "*:8443", "pool": "raw" } },
          "pools": { "web": { "health": { "probe": "http", "interval": "200ms", "timeout": "1s" }, "backends": [ { "address": "http://127.0.0.1:18081" } ] },
                     "raw": { "backends": [ { "address": "127.0.0.1:18081" } ] } },
          "announce": { "virtualIps": [{{vips}}], "interface": "vip0", "track": { "pools": ["web"] },
                        "interval": "100ms", "rise": 2, "withdrawDelay": "2s", "addressLifetime": "2s" },
          "admin": { "bind": "127.0.0.1:9901" }
        }
        """;
}

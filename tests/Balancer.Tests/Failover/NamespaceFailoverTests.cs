using System.Diagnostics;
using Balancer.Tests.Common;
using Xunit.Abstractions;

namespace Balancer.Tests.Failover;

/// <summary>
/// End to end in network namespaces: a client curls the virtual IP while the pair moves it with iproute2 and
/// gratuitous ARP. Every request loop is bounded in count and time; every namespace and process is removed in finally.
/// </summary>
// One failover pair at a time: each times takeovers and advert gaps, and the recorder and flood block test threads for 20–30 s.
[Collection("failover pairs")]
public sealed class NamespaceFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan _settle = TimeSpan.FromSeconds(30);

    [RootFact]
    public async Task Pair_KillAndSigterm_ClientReachesTheVirtualIpThroughTheSurvivor()
    {
        RootFactAttribute.RequireRoot();
        using var files = new FailoverFiles();
        using var net = NetnsTopology.Create();
        var processes = new List<BalancerProcess>();
        try
        {
            processes.Add(NamespacePair.StartBackend(net));
            var lb1Config = NamespacePair.WriteNode(files, "lb1", 150, NetnsTopology.Lb1Address, NetnsTopology.Lb2Address);
            var lb2Config = NamespacePair.WriteNode(files, "lb2", 100, NetnsTopology.Lb2Address, NetnsTopology.Lb1Address);
            var lb1 = BalancerProcess.StartInNamespace(net.Lb1, "--config", lb1Config);
            processes.Add(lb1);
            processes.Add(BalancerProcess.StartInNamespace(net.Lb2, "--config", lb2Config));
            await files.WaitForRolesAsync("lb1", "lb2", _settle);
            await NamespacePair.UntilServedAsync(net, "first request through lb1");
            Assert.Contains(NetnsTopology.VirtualIp, NetnsTopology.Addresses(net.Lb1), StringComparison.Ordinal);

            // A crashed master: lb2 takes the address after Master_Down_Interval (~361 ms) and announces it.
            var mastered = files.HookCount("lb2", "master");
            var crash = Stopwatch.StartNew();
            lb1.Signal(9);
            var takeover = await files.WaitForHookAsync("lb2", "master", mastered + 1, _settle);
            Assert.True(takeover < TimeSpan.FromSeconds(2), $"takeover took {takeover}");
            await NamespacePair.UntilServedAsync(net, "requests after kill -9 of the master");
            output.WriteLine($"kill -9 master: lb2 onMaster after {takeover.TotalMilliseconds:0} ms, client served again after {crash.ElapsedMilliseconds} ms");
            Assert.Contains(NetnsTopology.VirtualIp, NetnsTopology.Addresses(net.Lb2), StringComparison.Ordinal);

            // lb1 restarts with preempt off and the VIP still on eth0 from the crash (#17 item 3): at start-up, before it
            // serves, it removes it and says so, and only lb2 answers ARP for it. Then preempt on by a reload: lb1 takes over.
            await lb1.WaitForExitAsync(_settle);
            Assert.Contains(NetnsTopology.VirtualIp, NetnsTopology.Addresses(net.Lb1), StringComparison.Ordinal); // kill -9 left it
            var preempting = File.ReadAllText(lb1Config);
            File.WriteAllText(lb1Config, preempting.Replace("\"vipAction\"", "\"preempt\": false, \"vipAction\"", StringComparison.Ordinal));
            lb1 = BalancerProcess.StartInNamespace(net.Lb1, "--config", lb1Config);
            processes.Add(lb1);
            await files.WaitForHookAsync("lb1", "backup", 2, _settle);
            await Wait.Until(() => !NetnsTopology.Addresses(net.Lb1).Contains(NetnsTopology.VirtualIp, StringComparison.Ordinal), _settle, "lb1 removes the stale VIP");
            await Wait.Until(() => lb1.Stdout.Contains($"removed stale virtual IPs {NetnsTopology.VirtualIp}/24 from eth0 at start-up", StringComparison.Ordinal), _settle, "lb1 says so");
            Assert.True(
                lb1.Stdout.IndexOf("removed stale virtual IPs", StringComparison.Ordinal) < lb1.Stdout.IndexOf("admin API serving on", StringComparison.Ordinal),
                "the stale VIP goes before the admin API answers");
            Assert.Single(ArpRepliers(net));
            Assert.Equal("master", files.LastHook("lb2"));
            File.WriteAllText(lb1Config, preempting);
            lb1.Signal(1);
            await files.WaitForRolesAsync("lb1", "lb2", _settle);
            await NamespacePair.UntilServedAsync(net, "requests after lb1 preempted");

            // A graceful stop: lb1 resigns first, lb2 takes over after its skew time, lb1 keeps the VIP until lb2's second advert.
            var stop = Stopwatch.StartNew();
            mastered = files.HookCount("lb2", "master");
            lb1.Signal(15);
            var handover = await files.WaitForHookAsync("lb2", "master", mastered + 1, _settle);
            await NamespacePair.UntilServedAsync(net, "requests after SIGTERM of the master");
            output.WriteLine($"SIGTERM master: lb2 onMaster after {handover.TotalMilliseconds:0} ms, client served after {stop.ElapsedMilliseconds} ms");
            Assert.True(handover < TimeSpan.FromSeconds(1), $"hand-over took {handover}");
            Assert.Equal(0, await lb1.WaitForExitAsync(_settle));
            Assert.Contains("Master -> Init on Shutdown: handed over to lb2", lb1.Stdout, StringComparison.Ordinal); // held the VIP until lb2 had it
            Assert.DoesNotContain(NetnsTopology.VirtualIp, NetnsTopology.Addresses(net.Lb1), StringComparison.Ordinal);
        }
        catch
        {
            processes.ForEach(p => output.WriteLine($"--- pid {p.Id}\n{p.Stdout}{p.Stderr}"));
            throw;
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }
    }

    /// <summary>The distinct MAC addresses that answer ARP for the virtual IP from the client namespace (two requests).</summary>
    private static HashSet<string> ArpRepliers(NetnsTopology net)
    {
        var (_, output) = NetnsTopology.Run("ip", "netns", "exec", net.Client, "arping", "-c", "2", "-I", "eth0", NetnsTopology.VirtualIp);
        return [.. System.Text.RegularExpressions.Regex.Matches(output, @"reply from [0-9.]+ \[([0-9A-Fa-f:]+)\]").Select(m => m.Groups[1].Value.ToLowerInvariant())];
    }
}

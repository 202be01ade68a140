using System.Diagnostics;
using Balancer.Tests.Common;
using Xunit.Abstractions;

namespace Balancer.Tests.Failover;

/// <summary>
/// #23 redundant heartbeat paths end to end, in network namespaces linked only to each other: lb1 and lb2 advertise on
/// the client network (198.18.0.0/24, eth0) and on a heartbeat network of their own (198.18.1.0/24, eth1), at 100 ms.
/// Every load loop is bounded; every namespace and process is removed in finally.
/// </summary>
[Collection("failover pairs")]
public sealed class NamespacePathTests(ITestOutputHelper output)
{
    private static readonly TimeSpan _settle = TimeSpan.FromSeconds(30);

    [RootFact]
    public async Task TwoPaths_OneLinkDownTenSecondsUnderLoad_NoTransitionAWarning_BothDown_Failover()
    {
        RootFactAttribute.RequireRoot();
        using var files = new FailoverFiles();
        using var net = NetnsTopology.Create();
        net.AddHeartbeatLink();
        var processes = new List<BalancerProcess>();
        try
        {
            processes.Add(NamespacePair.StartBackend(net));
            var lb1 = BalancerProcess.StartInNamespace(net.Lb1, "--config", NamespacePair.WriteTwoPathNode(files, "lb1", 150,
                (NetnsTopology.Lb1Address, NetnsTopology.Lb1HeartbeatAddress), ("lb2", NetnsTopology.Lb2Address, NetnsTopology.Lb2HeartbeatAddress)));
            processes.Add(lb1);
            var lb2 = BalancerProcess.StartInNamespace(net.Lb2, "--config", NamespacePair.WriteTwoPathNode(files, "lb2", 100,
                (NetnsTopology.Lb2Address, NetnsTopology.Lb2HeartbeatAddress), ("lb1", NetnsTopology.Lb1Address, NetnsTopology.Lb1HeartbeatAddress)));
            processes.Add(lb2);
            await files.WaitForRolesAsync("lb1", "lb2", _settle);
            await NamespacePair.UntilServedAsync(net, "first request through lb1");
            await Wait.Until(() => BothPathsHeard(net.Lb2, lb2), _settle, "lb2 hears lb1 on both paths");
            var before = (Transitions(net.Lb1, lb1), Transitions(net.Lb2, lb2));

            // One link down for 10 s under load: the adverts keep coming by eth0, so nobody moves; both nodes warn.
            using (var load = new VipLoad(net))
            {
                NetnsTopology.Ip("-n", net.Lb1, "link", "set", "eth1", "down");
                var cut = Stopwatch.StartNew();
                output.WriteLine($"eth1 down at {load.Elapsed.TotalMilliseconds:0} ms of the load");
                await Wait.Until(() => lb2.Stdout.Contains($"heartbeat path to lb1 at {NetnsTopology.Lb1HeartbeatAddress} silent", StringComparison.Ordinal), _settle, "lb2 warns of the silent path");
                output.WriteLine($"lb2 warned {cut.ElapsedMilliseconds} ms after eth1 went down");
                Assert.True(SilentPath(net.Lb2, lb2) == NetnsTopology.Lb1HeartbeatAddress, "lb2's /status shows the silent path");
                await Wait.Until(() => lb1.Stdout.Contains($"heartbeat path to lb2 at {NetnsTopology.Lb2HeartbeatAddress} silent", StringComparison.Ordinal), _settle, "lb1 warns too");
                await Task.Delay(TimeSpan.FromSeconds(10) - cut.Elapsed); // the scenario's length, not a timer's: the link stays down 10 s
                NetnsTopology.Ip("-n", net.Lb1, "link", "set", "eth1", "up");
                output.WriteLine($"eth1 up at {load.Elapsed.TotalMilliseconds:0} ms of the load");
                await Wait.Until(() => lb2.Stdout.Contains($"heartbeat path to lb1 at {NetnsTopology.Lb1HeartbeatAddress} works again", StringComparison.Ordinal), _settle, "lb2 says the path works again");
                var (served, failed) = await load.StopAsync();
                output.WriteLine($"one link down 10 s: {served} requests served, {failed} failed");
                // A master frozen past Master_Down_Interval (a blocking GC on a starved host) is dead to its peer on every path:
                // a takeover then is the protocol's answer, not the path's fault; outside such windows, nothing may fail.
                var frozen = MasterStalls.Excused(output, NamespacePair.BackupMasterDown, TimeSpan.FromSeconds(3), lb1, lb2);
                var lost = load.FailuresOutside(frozen);
                Assert.True(lost.Count == 0, $"{lost.Count} failed:\n{string.Join('\n', lost)}");
                if (frozen.Count > 0)
                {
                    await files.WaitForRolesAsync("lb1", "lb2", _settle);
                    before = (Transitions(net.Lb1, lb1), Transitions(net.Lb2, lb2));
                }
            }

            Assert.Equal(before, (Transitions(net.Lb1, lb1), Transitions(net.Lb2, lb2)));
            Assert.Equal(1, Count(lb2.Stdout, "silent for"));
            Assert.Equal(1, Count(lb1.Stdout, $"failover adverts from {NetnsTopology.Lb1HeartbeatAddress}:7946 to {NetnsTopology.Lb2HeartbeatAddress}:7946: ")
                - Count(lb1.Stdout, "works again (said once"));

            // Both links down: lb2 hears nothing on either path and takes over, as with one path.
            var mastered = files.HookCount("lb2", "master");
            NetnsTopology.Ip("-n", net.Lb1, "link", "set", "eth1", "down");
            NetnsTopology.Ip("-n", net.Lb1, "link", "set", "eth0", "down");
            var takeover = await files.WaitForHookAsync("lb2", "master", mastered + 1, _settle);
            await NamespacePair.UntilServedAsync(net, "requests through lb2 with lb1 cut off");
            output.WriteLine($"both links down: lb2 onMaster after {takeover.TotalMilliseconds:0} ms");
            Assert.True(takeover < TimeSpan.FromSeconds(2), $"takeover took {takeover}");

            // lb1 saw its virtual IPs' interface go down: FAULT, the address gone (keepalived's FAULT on its VRRP
            // interface), not a master on a link that reaches nobody. Up again: BACKUP, then it preempts.
            await Wait.Until(() => lb1.Stdout.Contains("-> Fault on InterfaceDown: interface eth0 down for 300 ms", StringComparison.Ordinal), _settle, "lb1 in FAULT for eth0");
            await Wait.Until(() => !NetnsTopology.Addresses(net.Lb1).Contains(NetnsTopology.VirtualIp, StringComparison.Ordinal), _settle, "lb1 without the virtual IP");
            NetnsTopology.Ip("-n", net.Lb1, "link", "set", "eth0", "up");
            NetnsTopology.Ip("-n", net.Lb1, "link", "set", "eth1", "up");
            await Wait.Until(() => lb1.Stdout.Contains("Fault -> Backup on InterfaceUp: interface eth0 is up", StringComparison.Ordinal), _settle, "lb1 back to BACKUP");
            await files.WaitForRolesAsync("lb1", "lb2", _settle);
            await NamespacePair.UntilServedAsync(net, "requests through lb1 again");
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

    private static long Transitions(string netns, BalancerProcess node) => NodeStatus.Failover(netns, node).GetProperty("transitions").GetInt64();

    private static bool BothPathsHeard(string netns, BalancerProcess node) =>
        NodeStatus.Failover(netns, node).GetProperty("paths").EnumerateArray().Count(p => p.GetProperty("lastAdvert").ValueKind == System.Text.Json.JsonValueKind.String) == 2;

    private static string? SilentPath(string netns, BalancerProcess node) =>
        NodeStatus.Failover(netns, node).GetProperty("paths").EnumerateArray().SingleOrDefault(p => p.GetProperty("silent").GetBoolean()) is { ValueKind: System.Text.Json.JsonValueKind.Object } path
            ? path.GetProperty("address").GetString()
            : null;

    private static int Count(string text, string what) => text.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));
}

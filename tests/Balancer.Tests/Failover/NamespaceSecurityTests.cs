using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Balancer.Core.Failover;
using Balancer.Tests.Common;
using Xunit.Abstractions;

namespace Balancer.Tests.Failover;

/// <summary>
/// #26 end to end, in network namespaces (198.18.0.0/24, linked only to each other): a key rotated under load, a
/// recorded stream replayed at a restarted backup, and a flood of forged datagrams. Every load, flood and recording
/// is bounded in count and time; every namespace and process is removed in finally.
/// </summary>
// One failover pair at a time: each times takeovers and advert gaps, and the recorder and flood block test threads for 20–30 s.
[Collection("failover pairs")]
public sealed class NamespaceSecurityTests(ITestOutputHelper output)
{
    private static readonly TimeSpan _settle = TimeSpan.FromSeconds(30);
    private static readonly IPEndPoint _lb1 = new(IPAddress.Parse(NetnsTopology.Lb1Address), 7946);
    private static readonly IPEndPoint _lb2 = new(IPAddress.Parse(NetnsTopology.Lb2Address), 7946);

    [RootFact]
    public Task RotateKey_SixStepsWithAReloadBetweenEach_UnderLoad_NoTransitionNoRejectedAdvert() => InPairAsync(async (files, net, processes) =>
    {
        var (old, fresh) = (FailoverFiles.NewKey(), FailoverFiles.NewKey());
        var keyFiles = new[] { Path.Combine(files.Directory, "lb1.key"), Path.Combine(files.Directory, "lb2.key") };
        Array.ForEach(keyFiles, k => FailoverFiles.WriteKeys(k, old));
        var (lb1, lb2) = await StartPairAsync(files, net, processes, keyFiles);
        var before = (Transitions(net.Lb1, lb1), Transitions(net.Lb2, lb2));
        using var load = new VipLoad(net);

        // docs/failover.md, "Rotating the key": each step on both nodes, a reload after each.
        var nodes = new[] { (net.Lb1, lb1, keyFiles[0]), (net.Lb2, lb2, keyFiles[1]) };
        var steps = new[] { new[] { old, fresh }, [fresh, old], [fresh] };
        var reloads = 0;
        foreach (var keys in steps)
        {
            reloads++;
            for (var n = 0; n < 2; n++)
            {
                var (netns, node, keyFile) = nodes[n];
                var (peerNetns, peer, _) = nodes[1 - n];
                FailoverFiles.WriteKeys(keyFile, keys);
                node.Signal(1); // SIGHUP: systemctl reload
                await Wait.Until(() => Count(node.Stdout, "failover keys reloaded") == reloads, _settle, $"{netns} reloads its keys ({reloads})");
                var accepted = NodeStatus.Failover(peerNetns, peer).GetProperty("advertsAccepted").GetInt64();
                await Wait.Until(() => NodeStatus.Failover(peerNetns, peer).GetProperty("advertsAccepted").GetInt64() >= accepted + 10, _settle, "10 adverts between steps");
            }
        }

        var (served, failed) = await load.StopAsync();
        output.WriteLine($"rotation: {served} requests served, {failed} failed during 6 reloads");
        foreach (var (netns, node, _) in nodes)
        {
            var failover = NodeStatus.Failover(netns, node);
            output.WriteLine($"{netns}: {failover}");
            Assert.Empty(failover.GetProperty("rejectedPackets").EnumerateObject());
            Assert.Equal(FailoverKeyRing.Format(FailoverKeyRing.IdOf(Convert.FromHexString(fresh))), failover.GetProperty("peer").GetProperty("keyId").GetString());
            Assert.Equal(1, failover.GetProperty("peer").GetProperty("keySlot").GetInt32());
        }

        // A master frozen past Master_Down_Interval (a blocking GC on a starved host) is dead to its peer: a takeover and
        // the dual master's settling are then the protocol's answer, not the rotation's fault; outside such windows, none.
        var frozen = MasterStalls.Excused(output, NamespacePair.BackupMasterDown, TimeSpan.FromSeconds(3), lb1, lb2);
        var lost = load.FailuresOutside(frozen);
        Assert.True(lost.Count == 0, $"{lost.Count} failed:\n{string.Join('\n', lost)}");
        if (frozen.Count == 0)
        {
            Assert.Equal(before, (Transitions(net.Lb1, lb1), Transitions(net.Lb2, lb2)));
        }
        else
        {
            Assert.Equal(("master", "backup"), (NodeStatus.Failover(net.Lb1, lb1).GetProperty("state").GetString(), NodeStatus.Failover(net.Lb2, lb2).GetProperty("state").GetString()));
        }
    });

    [RootFact]
    public Task ReplayedRecording_KillTheMasterRestartTheBackup_TheBackupTakesOverWithinMasterDownPlusSkew() => InPairAsync(async (files, net, processes) =>
    {
        var (lb1, lb2) = await StartPairAsync(files, net, processes);

        // 20 s of the master's adverts, as an attacker on the path records them.
        var recording = new AdvertRecorder(net.Lb2, _lb1.Address, 7946).Record(TimeSpan.FromSeconds(20));
        Assert.True(recording.Count > 100, $"only {recording.Count} adverts recorded");

        lb1.Signal(9);
        lb2.Signal(9);
        await lb1.WaitForExitAsync(_settle);
        await lb2.WaitForExitAsync(_settle);
        lb2 = BalancerProcess.StartInNamespace(net.Lb2, "--config", Path.Combine(files.Directory, "lb2.json"));
        processes.Add(lb2);

        // The recording replayed from the dead master's own address, in order and at its own pace.
        using (var replayer = NetnsSocket.Open(net.Lb1, () => Bound(_lb1)))
        {
            var pace = Stopwatch.StartNew();
            foreach (var (at, payload) in recording)
            {
                if (at > pace.Elapsed)
                {
                    await Task.Delay(at - pace.Elapsed);
                }

                replayer.SendTo(payload, _lb2);
            }
        }

        await Wait.Until(() => files.LastHook("lb2") == "master", _settle, "lb2 master");
        var failover = NodeStatus.Failover(net.Lb2, lb2);
        output.WriteLine(failover.ToString());
        Assert.True(failover.GetProperty("rejectedPackets").GetProperty("Unproven").GetInt64() > 0);
        Assert.Contains("Backup -> Master on MasterDownTimerExpired: no master advert for 00:00:00.3609375", lb2.Stdout, StringComparison.Ordinal);
        var backupAt = LogTime(lb2.Stdout, "Init -> Backup on Startup");
        var masterAt = LogTime(lb2.Stdout, "Backup -> Master on MasterDownTimerExpired");
        var bound = FailoverTimers.MasterDownInterval(100, TimeSpan.FromMilliseconds(100)) + FailoverOptions.DefaultMaxClockSkew;
        output.WriteLine($"restarted backup: master {(masterAt - backupAt).TotalMilliseconds:0} ms after it started as backup (bound {bound.TotalMilliseconds:0} ms)");
        Assert.True(masterAt - backupAt <= bound, $"took {masterAt - backupAt}");
        await NamespacePair.UntilServedAsync(net, "the VIP through the restarted backup");
    });

    [RootFact]
    public Task Flood_20000DatagramsPerSecondFor30Seconds_NoTransitionNoMissedAdvertFewLogLines() => InPairAsync(async (files, net, processes) =>
    {
        var (lb1, lb2) = await StartPairAsync(files, net, processes);
        var recorded = new AdvertRecorder(net.Lb2, _lb1.Address, 7946).Record(TimeSpan.FromSeconds(2)).Select(r => r.Payload).ToList();
        var (master, backup) = (NodeStatus.Failover(net.Lb1, lb1), NodeStatus.Failover(net.Lb2, lb2));
        var cpu = NodeStatus.CpuTime(lb2.Id);
        var logLength = lb2.Stdout.Length;

        // From the client's host on the same segment, the source spoofed as lb1: every datagram reaches the MAC check.
        using var raw = NetnsSocket.RawSender(net.Client);
        var clock = Stopwatch.StartNew();
        var sent = await Task.Run(() => AdvertFlood.Run(raw, _lb1, _lb2, recorded, 20_000, TimeSpan.FromSeconds(30)));
        var elapsed = clock.Elapsed;
        await Wait.Until(() => Rejected(NodeStatus.Failover(net.Lb2, lb2)) - Rejected(backup) >= sent * 0.99, _settle, "the flood taken in");

        var (masterAfter, backupAfter) = (NodeStatus.Failover(net.Lb1, lb1), NodeStatus.Failover(net.Lb2, lb2));
        var cpuUsed = NodeStatus.CpuTime(lb2.Id) - cpu;
        // From one node's view, so no race between two snapshots: the master counts every advert in its sequence.
        var advertsSent = backupAfter.GetProperty("peer").GetProperty("sequence").GetInt64() - backup.GetProperty("peer").GetProperty("sequence").GetInt64();
        var advertsTaken = backupAfter.GetProperty("advertsAccepted").GetInt64() - backup.GetProperty("advertsAccepted").GetInt64();
        var logLines = Count(lb2.Stdout[logLength..], "failover rejected");
        output.WriteLine($"flood: {sent} datagrams in {elapsed.TotalSeconds:0.0} s ({sent / elapsed.TotalSeconds:0}/s); backup rejected {Rejected(backupAfter) - Rejected(backup)}, " +
            $"took {advertsTaken} of the master's {advertsSent} adverts, used {cpuUsed.TotalSeconds:0.00} s CPU ({100 * cpuUsed / elapsed:0.0}% of a core), wrote {logLines} reject lines");
        output.WriteLine(backupAfter.ToString());

        Assert.True(sent >= 20_000 * 30 / 2, $"the flood reached only {sent / elapsed.TotalSeconds:0}/s");
        Assert.Equal(master.GetProperty("transitions").GetInt64(), masterAfter.GetProperty("transitions").GetInt64());
        Assert.Equal(backup.GetProperty("transitions").GetInt64(), backupAfter.GetProperty("transitions").GetInt64());
        Assert.Equal(advertsSent, advertsTaken); // no advert of the real master missed
        var reasons = backupAfter.GetProperty("rejectedPackets").EnumerateObject().Count();
        Assert.InRange(logLines, reasons, reasons * 5); // one line per reason at once, then one per reason per 10 s
    });

    /// <summary>
    /// Runs <paramref name="test"/> with fresh files and namespaces; on failure prints every process's log; stops every
    /// process it started and removes the namespaces, whatever happens.
    /// </summary>
    private async Task InPairAsync(Func<FailoverFiles, NetnsTopology, List<BalancerProcess>, Task> test)
    {
        RootFactAttribute.RequireRoot();
        using var files = new FailoverFiles();
        using var net = NetnsTopology.Create();
        var processes = new List<BalancerProcess>();
        try
        {
            await test(files, net, processes);
        }
        catch
        {
            processes.ForEach(p => output.WriteLine($"--- pid {p.Id}\n{p.Stdout}{p.Stderr}"));
            throw;
        }
        finally
        {
            // How each loop was scheduled and every advert stall, pass or fail: docs/benchmarks.md counts them (#26).
            processes.ForEach(p => output.WriteLine(string.Join('\n', p.Stdout.Split('\n').Where(l => l.Contains("failover loop runs", StringComparison.Ordinal) || l.Contains("advert stall", StringComparison.Ordinal)).Prepend($"--- pid {p.Id}"))));
            processes.ForEach(p => p.Dispose());
        }
    }

    /// <summary>The backend, then lb1 (priority 150) and lb2 (100) at 100 ms adverts; returns once lb1 serves the VIP.</summary>
    private static async Task<(BalancerProcess Lb1, BalancerProcess Lb2)> StartPairAsync(FailoverFiles files, NetnsTopology net, List<BalancerProcess> processes, string[]? keyFiles = null)
    {
        processes.Add(NamespacePair.StartBackend(net));
        var lb1 = BalancerProcess.StartInNamespace(net.Lb1, "--config", NamespacePair.WriteNode(files, "lb1", 150, NetnsTopology.Lb1Address, NetnsTopology.Lb2Address, keyFile: keyFiles?[0]));
        processes.Add(lb1);
        var lb2 = BalancerProcess.StartInNamespace(net.Lb2, "--config", NamespacePair.WriteNode(files, "lb2", 100, NetnsTopology.Lb2Address, NetnsTopology.Lb1Address, keyFile: keyFiles?[1]));
        processes.Add(lb2);
        await files.WaitForRolesAsync("lb1", "lb2", _settle);
        await NamespacePair.UntilServedAsync(net, "first request through lb1");
        return (lb1, lb2);
    }

    private static Socket Bound(IPEndPoint local)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(local);
        return socket;
    }

    private static long Transitions(string netns, BalancerProcess node) => NodeStatus.Failover(netns, node).GetProperty("transitions").GetInt64();

    private static long Rejected(JsonElement failover) => failover.GetProperty("rejectedPackets").EnumerateObject().Sum(p => p.Value.GetInt64());

    private static int Count(string text, string what) => text.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));

    /// <summary>The time stamp of the first log line containing <paramref name="what"/> ("2026-12-07 03:25:59.843 warn: …").</summary>
    private static DateTime LogTime(string log, string what)
    {
        var line = log.Split('\n').First(l => l.Contains(what, StringComparison.Ordinal));
        return DateTime.ParseExact(line[..23], "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Balancer.Tests.Common;
using Xunit.Abstractions;

namespace Balancer.Tests.Failover;

/// <summary>
/// #23 the witness end to end, in network namespaces linked only to each other: <c>balancer witness</c> runs in the
/// client namespace (198.18.0.30:7947), the pair at 100 ms adverts asks it with a 200 ms timeout. Every load and sample
/// loop is bounded; every namespace and process is removed in finally.
/// </summary>
[Collection("failover pairs")]
public sealed class NamespaceWitnessTests(ITestOutputHelper output)
{
    private const string WitnessAddress = NetnsTopology.ClientAddress + ":7947";
    private static readonly TimeSpan _settle = TimeSpan.FromSeconds(30);
    private static readonly IPAddress _vip = IPAddress.Parse(NetnsTopology.VirtualIp);
    private static readonly TimeSpan _masterDown = NamespacePair.BackupMasterDown;

    [RootFact]
    public async Task PeerLinkCut_OneHolderAtEverySampleNoTransition_KillMaster_TakeoverAfterAskingTheWitness_WitnessDead_TakeoverAfterItsTimeout()
    {
        RootFactAttribute.RequireRoot();
        using var files = new FailoverFiles();
        using var net = NetnsTopology.Create();
        var processes = new List<BalancerProcess>();
        try
        {
            processes.Add(NamespacePair.StartBackend(net));
            var witness = BalancerProcess.StartInNamespace(net.Client, "witness", "--bind", WitnessAddress, "--key-file", files.KeyFile,
                "--peers", $"{NetnsTopology.Lb1Address},{NetnsTopology.Lb2Address}");
            processes.Add(witness);
            await Wait.Until(() => witness.Stdout.Contains("witness listening", StringComparison.Ordinal), _settle, "the witness listens");
            const string WitnessField = $", \"witness\": {{ \"address\": \"{WitnessAddress}\", \"timeout\": \"200ms\" }}";
            var lb1Config = NamespacePair.WriteNode(files, "lb1", 150, NetnsTopology.Lb1Address, NetnsTopology.Lb2Address, WitnessField);
            var lb1 = BalancerProcess.StartInNamespace(net.Lb1, "--config", lb1Config);
            processes.Add(lb1);
            var lb2 = BalancerProcess.StartInNamespace(net.Lb2, "--config", NamespacePair.WriteNode(files, "lb2", 100, NetnsTopology.Lb2Address, NetnsTopology.Lb1Address, WitnessField));
            processes.Add(lb2);
            await files.WaitForRolesAsync("lb1", "lb2", _settle);
            await NamespacePair.UntilServedAsync(net, "first request through lb1");
            await Wait.Until(() => witness.Stdout.Contains("witness hears lb1 as master of group default", StringComparison.Ordinal), _settle, "the witness hears lb1");
            var before = (Transitions(net.Lb1, lb1), Transitions(net.Lb2, lb2));

            // Only the peer link cut for 10 s: clients and the witness still reach both nodes.
            var (samples, wrong) = (0, new List<(DateTime At, string Text)>());
            using (var load = new VipLoad(net))
            {
                Cut(net, "add");
                var watch = Stopwatch.StartNew();
                while (watch.Elapsed < TimeSpan.FromSeconds(10) && samples < 2000)
                {
                    var (one, two) = (Holds(net.Lb1), Holds(net.Lb2));
                    samples++;
                    if (one == two)
                    {
                        wrong.Add((DateTime.Now, $"{watch.ElapsedMilliseconds} ms: lb1 {one}, lb2 {two}"));
                    }

                    await Task.Delay(TimeSpan.FromMilliseconds(10 * samples) - watch.Elapsed is { Ticks: > 0 } wait ? wait : TimeSpan.Zero);
                }

                Cut(net, "del");
                var (served, failed) = await load.StopAsync();
                output.WriteLine($"peer link cut 10 s: {samples} samples, {wrong.Count} without exactly one holder; {served} requests served, {failed} failed");

                // A master frozen past Master_Down_Interval is dead to its peer and the witness alike: lb2 may take over, and
                // then the witness must settle the two masters (the lesser asks every Master_Down_Interval and yields).
                var frozen = MasterStalls.Excused(output, _masterDown, Balancer.Failover.GarpSchedule.SecondSetDelay + (2 * _masterDown) + TimeSpan.FromMilliseconds(500), lb1, lb2);
                var unexcused = wrong.Where(x => !frozen.Any(w => x.At >= w.From && x.At <= w.Until)).Select(x => x.Text).ToList();
                Assert.True(unexcused.Count == 0, $"{unexcused.Count} samples without exactly one holder:\n{string.Join('\n', unexcused)}");
                var lost = load.FailuresOutside(frozen);
                Assert.True(lost.Count == 0, $"{lost.Count} failed:\n{string.Join('\n', lost)}");
                if (frozen.Count > 0)
                {
                    // The split healed: lb1 master and lb2 backup again, each settled once more.
                    await Wait.Until(() => State(net.Lb1, lb1) == "master" && State(net.Lb2, lb2) == "backup", _settle, "the pair settles after a frozen master");
                }
                else
                {
                    Assert.Equal(before, (Transitions(net.Lb1, lb1), Transitions(net.Lb2, lb2)));
                }
            }

            Assert.Contains("heartbeat lost, master alive per witness", lb2.Stdout, StringComparison.Ordinal);
            Assert.Contains("but the witness answers", lb1.Stdout, StringComparison.Ordinal);
            await Task.Delay(TimeSpan.FromSeconds(1)); // adverts flow again across the healed link

            // The master frozen (SIGSTOP) past Master_Down_Interval while the peer link is cut: dead to lb2 and the witness
            // alike, so lb2 takes over. When lb1 resumes both are master, and only the witness hears both: lb2 hears of
            // lb1 when it next asks (within a Master_Down_Interval) and yields; lb1 hears of lb2 and re-announces.
            Cut(net, "add");
            await Wait.Until(() => Count(lb2.Stdout, "heartbeat lost, master alive per witness") >= 2, _settle, "lb2 stays backup per the witness again");
            var taken = files.HookCount("lb2", "master");
            lb1.Signal(19);
            await files.WaitForHookAsync("lb2", "master", taken + 1, _settle);
            lb1.Signal(18);
            var resumed = Stopwatch.StartNew();
            await Wait.Until(() => lb2.Stdout.Contains("Master -> Backup on OutrankedPerWitness", StringComparison.Ordinal), _settle, "lb2 yields per the witness");
            var healed = resumed.Elapsed;
            await Wait.Until(() => Holds(net.Lb1) && !Holds(net.Lb2), _settle, "lb1 alone holds the VIP");
            var reached = Stopwatch.StartNew();
            await NamespacePair.UntilServedAsync(net, "requests through lb1 after the split healed");
            Cut(net, "del");
            output.WriteLine($"master frozen behind a cut link: lb2 yielded {healed.TotalMilliseconds:0} ms after lb1 resumed, clients served {reached.ElapsedMilliseconds} ms after; {Line(lb2.Stdout, "on OutrankedPerWitness")}");

            // lb1 re-announced on resuming, so clients that lb2's takeover drew to it came back without waiting for ARP to expire.
            Assert.True(reached.Elapsed < TimeSpan.FromSeconds(4), $"clients reached lb1 only {reached.Elapsed} after the split healed");
            await files.WaitForRolesAsync("lb1", "lb2", _settle);
            await Task.Delay(TimeSpan.FromSeconds(1));

            // kill -9 of the master: the backup's Master_Down_Timer runs out (361 ms), the witness last heard lb1 as long ago.
            var mastered = files.HookCount("lb2", "master");
            lb1.Signal(9);
            var takeover = await files.WaitForHookAsync("lb2", "master", mastered + 1, _settle);
            await NamespacePair.UntilServedAsync(net, "requests after kill -9 of the master");
            await Wait.Until(() => lb2.Stdout.Contains("Backup -> Master on MasterDownTimerExpired: no master advert for", StringComparison.Ordinal), _settle, "lb2 says why");
            output.WriteLine($"kill -9 master: lb2 onMaster after {takeover.TotalMilliseconds:0} ms; {Line(lb2.Stdout, "Backup -> Master")}");
            Assert.Contains("and the witness last heard lb1 as master", lb2.Stdout, StringComparison.Ordinal);

            // Decided within Master_Down_Interval (361 ms) + the witness's round trip + 50 ms of the last advert, so of the kill.
            var silence = int.Parse(System.Text.RegularExpressions.Regex.Match(Line(lb2.Stdout, "Backup -> Master"), @"no master advert for (\d+) ms").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(silence, 361, 361 + 50);

            // The witness dead (witness.required false, the default): lb1 restarts and preempts; killed again, lb2 waits the
            // 200 ms timeout and takes over as plain VRRP would, and says so.
            witness.Signal(9);
            await lb1.WaitForExitAsync(_settle);
            lb1 = BalancerProcess.StartInNamespace(net.Lb1, "--config", lb1Config);
            processes.Add(lb1);
            await files.WaitForHookAsync("lb1", "master", 2, _settle);
            await files.WaitForRolesAsync("lb1", "lb2", _settle);
            mastered = files.HookCount("lb2", "master");
            lb1.Signal(9);
            var blind = await files.WaitForHookAsync("lb2", "master", mastered + 1, _settle);
            await NamespacePair.UntilServedAsync(net, "requests after kill -9 with the witness dead");
            output.WriteLine($"kill -9 master, witness dead: lb2 onMaster after {blind.TotalMilliseconds:0} ms");
            await Wait.Until(() => lb2.Stdout.Contains("no answer from the witness within 200 ms: taking over", StringComparison.Ordinal), _settle, "lb2 says it took over without the witness");
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

    /// <summary>Cuts (<c>add</c>) or heals (<c>del</c>) the peer link alone: each node blackholes the other's address.</summary>
    private static void Cut(NetnsTopology net, string verb)
    {
        NetnsTopology.Ip("-n", net.Lb1, "route", verb, "blackhole", $"{NetnsTopology.Lb2Address}/32");
        NetnsTopology.Ip("-n", net.Lb2, "route", verb, "blackhole", $"{NetnsTopology.Lb1Address}/32");
    }

    /// <summary>Whether <paramref name="netns"/> holds the VIP now: a socket there can bind it only if it is a local address.</summary>
    private static bool Holds(string netns)
    {
        try
        {
            using var socket = NetnsSocket.Open(netns, () =>
            {
                var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    udp.Bind(new IPEndPoint(_vip, 0));
                    return udp;
                }
                catch
                {
                    udp.Dispose();
                    throw;
                }
            });
            return true;
        }
        catch (InvalidOperationException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressNotAvailable })
        {
            return false;
        }
    }

    private static long Transitions(string netns, BalancerProcess node) => NodeStatus.Failover(netns, node).GetProperty("transitions").GetInt64();

    private static string? State(string netns, BalancerProcess node) => NodeStatus.Failover(netns, node).GetProperty("state").GetString();

    private static int Count(string log, string what) => log.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));

    private static string Line(string log, string what) => log.Split('\n').LastOrDefault(l => l.Contains(what, StringComparison.Ordinal))?.Trim() ?? "";
}

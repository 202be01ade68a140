using System.Text.Json;
using Balancer.Tests.Common;
using Xunit.Abstractions;

namespace Balancer.Tests.Failover;

/// <summary>
/// #23 active-active end to end, in network namespaces linked only to each other: group a (198.18.0.100) at 150 on lb1
/// and 100 on lb2, group b (198.18.0.101) the reverse, 100 ms adverts; lb1 proxies to backend b1 and lb2 to b2, so the
/// <c>X-Backend</c> of each answer says which node served it. An open-loop client sends a request every 10 ms to each
/// virtual IP, and outages are measured from its per-request records. Every namespace and process is removed in finally.
/// </summary>
[Collection("failover pairs")]
public sealed class NamespaceActiveActiveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan _settle = TimeSpan.FromSeconds(30);
    private static readonly string _a = NetnsTopology.VirtualIp;
    private static readonly string _b = NetnsTopology.VirtualIpB;

    private static readonly TimeSpan _masterDown = NamespacePair.BackupMasterDown;

    [RootFact]
    public async Task ActiveActive_KillRestartSigterm_EachVipMovesAloneWithinItsBound()
    {
        RootFactAttribute.RequireRoot();
        using var files = new FailoverFiles();
        using var net = NetnsTopology.Create();
        var processes = new List<BalancerProcess>();
        try
        {
            processes.Add(NamespacePair.StartBackend(net));
            processes.Add(BalancerProcess.StartInNamespace(net.Backend, "demo-backend", "--bind", $"{NetnsTopology.BackendAddress}:8081", "--name", "b2"));
            var lb1Config = WriteNode(files, "lb1", 150, 100, NetnsTopology.Lb1Address, NetnsTopology.Lb2Address, 8080);
            var lb2Config = WriteNode(files, "lb2", 100, 150, NetnsTopology.Lb2Address, NetnsTopology.Lb1Address, 8081);
            var lb1 = BalancerProcess.StartInNamespace(net.Lb1, "--config", lb1Config);
            processes.Add(lb1);
            var lb2 = BalancerProcess.StartInNamespace(net.Lb2, "--config", lb2Config);
            processes.Add(lb2);
            await WaitForHookAsync(files, "lb1", "master", _a, 1);
            await WaitForHookAsync(files, "lb2", "master", _b, 1);
            await UntilServedAsync(net, _a, "b1");
            await UntilServedAsync(net, _b, "b2");
            var groups = Groups(net.Lb2, lb2);
            Assert.Equal(("backup", "lb1"), (groups["a"].GetProperty("state").GetString(), groups["a"].GetProperty("master").GetString()));
            Assert.Equal(("master", "lb2"), (groups["b"].GetProperty("state").GetString(), groups["b"].GetProperty("master").GetString()));
            Assert.Contains(_a, NetnsTopology.Addresses(net.Lb1), StringComparison.Ordinal);
            Assert.Contains(_b, NetnsTopology.Addresses(net.Lb2), StringComparison.Ordinal);

            // kill -9 lb1: lb2 answers both, a within Master_Down_Interval + 100 ms; b never moves.
            var since = DateTime.Now;
            var (kill, killed) = await MeasureAsync(net, () => lb1.Signal(9), async () =>
            {
                await WaitForHookAsync(files, "lb2", "master", _a, 1);
                await UntilServedAsync(net, _a, "b2");
            });
            Report("kill -9 lb1", kill, killed);
            Within(Service(kill.A), _masterDown + TimeSpan.FromMilliseconds(100), $"VIP a was out {kill.A.Outage.TotalMilliseconds:0} ms after kill -9", since, lb2);
            Assert.All(killed[_b].Where(s => s.Backend is not null), s => Assert.Equal("b2", s.Backend));
            Assert.Equal("b2", killed[_a].Last(s => s.Backend is not null).Backend);
            var bTransitions = groups["b"].GetProperty("transitions").GetInt64();
            var lb1MasterOfB = HookCount(files, "lb1", "master", _b); // 1 when lb1 came up well before lb2 and held b until preempted

            // lb1 restarts: it takes a back (preempt 150 > 100) and b stays on lb2.
            await lb1.WaitForExitAsync(_settle);
            var (restart, restarted) = await MeasureAsync(net, () => processes.Add(lb1 = BalancerProcess.StartInNamespace(net.Lb1, "--config", lb1Config)), async () =>
            {
                await WaitForHookAsync(files, "lb1", "master", _a, 2);
                await UntilServedAsync(net, _a, "b1");
            });
            Report("restart lb1 (preempts a)", restart, restarted);
            groups = Groups(net.Lb2, lb2);
            Assert.Equal(("backup", "master"), (groups["a"].GetProperty("state").GetString(), groups["b"].GetProperty("state").GetString()));
            Assert.Equal(bTransitions, groups["b"].GetProperty("transitions").GetInt64());
            Assert.All(restarted[_b].Where(s => s.Backend is not null), s => Assert.Equal("b2", s.Backend));
            Assert.Equal(lb1MasterOfB, HookCount(files, "lb1", "master", _b));

            // SIGTERM lb1: it hands a over; ≤ 150 ms without service on a.
            since = DateTime.Now;
            var (stopA, stoppedA) = await MeasureAsync(net, () => lb1.Signal(15), async () =>
            {
                await WaitForHookAsync(files, "lb2", "master", _a, 2);
                await UntilServedAsync(net, _a, "b2");
            });
            Report("SIGTERM lb1", stopA, stoppedA);
            Assert.Equal(0, await lb1.WaitForExitAsync(_settle));
            Within(Service(stopA.A), TimeSpan.FromMilliseconds(150), $"VIP a was out {stopA.A.Outage.TotalMilliseconds:0} ms after SIGTERM of its master", since, lb1, lb2);

            // lb1 back (takes a again), then SIGTERM lb2: it hands b over to lb1; ≤ 150 ms without service on b.
            processes.Add(lb1 = BalancerProcess.StartInNamespace(net.Lb1, "--config", lb1Config));
            await WaitForHookAsync(files, "lb1", "master", _a, 3);
            await UntilServedAsync(net, _a, "b1");
            since = DateTime.Now;
            var (stopB, stoppedB) = await MeasureAsync(net, () => lb2.Signal(15), async () =>
            {
                await WaitForHookAsync(files, "lb1", "master", _b, 1);
                await UntilServedAsync(net, _b, "b1");
            });
            Report("SIGTERM lb2", stopB, stoppedB);
            Assert.Equal(0, await lb2.WaitForExitAsync(_settle));
            Within(Service(stopB.B), TimeSpan.FromMilliseconds(150), $"VIP b was out {stopB.B.Outage.TotalMilliseconds:0} ms after SIGTERM of its master", since, lb1, lb2);
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

    /// <summary>
    /// Runs the probe for a second, does <paramref name="act"/>, waits for <paramref name="settled"/> and a second more,
    /// and returns each VIP's longest outage from the act on (with the samples).
    /// </summary>
    private static async Task<(((TimeSpan Outage, int Failed, TimeSpan ClientPause) A, (TimeSpan Outage, int Failed, TimeSpan ClientPause) B), Dictionary<string, List<VipLoad.Sample>>)> MeasureAsync(
        NetnsTopology net, Action act, Func<Task> settled)
    {
        using var probe = new VipProbe(net, _a, _b);
        await Task.Delay(TimeSpan.FromSeconds(1)); // the scenario's baseline, not a timer's wait
        var at = probe.Mark();
        act();
        await settled();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var samples = await probe.StopAsync();
        var lead = TimeSpan.FromMilliseconds(100); // from just before the act: the last request served before it
        return ((VipProbe.Outage(samples[_a], at[_a] - lead), VipProbe.Outage(samples[_b], at[_b] - lead)), samples);
    }

    /// <summary>The outage less the part of it the client itself was held off the CPU and sent nothing (a loaded CI host).</summary>
    /// <summary>
    /// The outage bound of a step, unless a node logged a stall of its adverts as master since <paramref name="since"/>: a
    /// process frozen (a GC on a starved host) cannot keep any bound, and the stall line says so; the test then reports it.
    /// </summary>
    private void Within(TimeSpan service, TimeSpan bound, string message, DateTime since, params BalancerProcess[] nodes)
    {
        var frozen = nodes.SelectMany(n => MasterStalls.Windows(n.Stdout, TimeSpan.Zero, TimeSpan.Zero)).Where(w => w.Until >= since).ToList();
        if (service <= bound || frozen.Count == 0)
        {
            Assert.True(service <= bound, message);
            return;
        }

        output.WriteLine($"not held to {bound.TotalMilliseconds:0} ms ({message}): a node was frozen meanwhile: {string.Join(" | ", frozen.Select(w => w.Line))}");
    }

    private static TimeSpan Service((TimeSpan Outage, int Failed, TimeSpan ClientPause) result) => result.Outage - result.ClientPause;

    private void Report(string step, ((TimeSpan Outage, int Failed, TimeSpan ClientPause) A, (TimeSpan Outage, int Failed, TimeSpan ClientPause) B) result, Dictionary<string, List<VipLoad.Sample>> samples) =>
        output.WriteLine($"{step}: VIP a out {Ms(result.A.Outage)} ms ({result.A.Failed} failed, client paused {Ms(result.A.ClientPause)} ms of it), " +
            $"VIP b out {Ms(result.B.Outage)} ms ({result.B.Failed} failed, client paused {Ms(result.B.ClientPause)} ms of it), " +
            $"{samples[_a].Count} + {samples[_b].Count} requests; the client's longest pause between two sends {Ms(LongestSendGap(samples[_a]))} ms");

    /// <summary>The longest time between two consecutive sends: the client itself held off the CPU (it sends every 10 ms).</summary>
    private static TimeSpan LongestSendGap(List<VipLoad.Sample> samples) =>
        samples.Zip(samples.Skip(1), (a, b) => b.Sent - a.Sent).DefaultIfEmpty(TimeSpan.Zero).Max();

    private static string Ms(TimeSpan t) => t == TimeSpan.MaxValue ? "∞" : t.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Node <paramref name="nodeId"/> in groups a and b at the given priorities, proxying to the backend on <paramref name="backendPort"/>.</summary>
    private static string WriteNode(FailoverFiles files, string nodeId, int a, int b, string address, string peer, int backendPort)
    {
        var config = files.WriteNode(nodeId, a, $"{address}:7946", $"{peer}:7946", "", listenerBind: "0.0.0.0:8080"); // writes the hook
        var hook = Path.Combine(files.Directory, $"hook-{nodeId}.sh");
        var notify = $$"""{ "onMaster": "{{hook}}", "onBackup": "{{hook}}", "onFault": "{{hook}}" }""";
        File.WriteAllText(config, $$"""
            {
              "listeners": { "web": { "bind": "0.0.0.0:8080", "routes": [ { "pool": "web" } ] } },
              "pools": { "web": { "backends": [ { "address": "http://{{NetnsTopology.BackendAddress}}:{{backendPort}}" } ] } },
              "failover": {
                "nodeId": "{{nodeId}}", "bind": "{{address}}:7946", "peers": ["{{peer}}:7946"],
                "advertInterval": "100ms", "keyFile": "{{files.KeyFile}}", "vipAction": "ip", "interface": "eth0", "garpRepeat": 3,
                "groups": [
                  { "name": "a", "priority": {{a}}, "virtualIps": ["{{_a}}/24"], "notify": {{notify}} },
                  { "name": "b", "priority": {{b}}, "virtualIps": ["{{_b}}/24"], "notify": {{notify}} }
                ]
              },
              "admin": { "bind": "127.0.0.1:0" }
            }
            """);
        return config;
    }

    /// <summary>How many times <paramref name="nodeId"/>'s hook reported <paramref name="state"/> for the group of <paramref name="vip"/>.</summary>
    private static int HookCount(FailoverFiles files, string nodeId, string state, string vip) =>
        File.Exists(files.HookLog(nodeId)) ? File.ReadAllLines(files.HookLog(nodeId)).Count(l => l == $"{state} {vip}/24") : 0;

    private static Task WaitForHookAsync(FailoverFiles files, string nodeId, string state, string vip, int times) =>
        Wait.Until(() => HookCount(files, nodeId, state, vip) >= times, _settle, $"{nodeId} reports {state} of {vip} x{times}");

    /// <summary>Asks <paramref name="vip"/> from the client namespace until <paramref name="backend"/> answers: at most 200 requests in 20 s.</summary>
    private static async Task UntilServedAsync(NetnsTopology net, string vip, string backend)
    {
        using var client = NetnsSocket.HttpClient(net.Client, TimeSpan.FromSeconds(1));
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var response = await client.GetAsync(new Uri($"http://{vip}:8080/"));
                if (response.Headers.TryGetValues("X-Backend", out var names) && names.Contains(backend))
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not yet
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{vip} was not served by {backend} within 200 tries");
    }

    private static Dictionary<string, JsonElement> Groups(string netns, BalancerProcess node) =>
        NodeStatus.Failover(netns, node).GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("name").GetString()!);
}

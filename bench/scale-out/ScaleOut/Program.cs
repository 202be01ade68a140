using System.Diagnostics;
using System.Globalization;
using Balancer.Tests.ScaleOut;

// bench/scale-out: rounds of the ECMP tier of tests/Balancer.Tests/ScaleOut (three Balancers, each with BIRD 2,
// behind a BIRD 2 router with ECMP; a client behind the router), measuring what the issue asks, per round:
//   spread        the share of 600 new connections each node served (min and max of the three)
//   withdraw_ms   node 1's backends cut off from it: until the router no longer routes to it
//   back_ms       the cut repaired: until the router routes to it again (probe rise, then announce rise 3)
//   proc_ms       kill -9 of node 2's Balancer alone, its BIRD alive: the outage for new connections, which lasts
//                 until the kernel drops the address whose lifetime (3 s) is no longer renewed
//   kill_ms       kill -9 of node 2's Balancer and BIRD, the host alive: its kernel closes the BGP session, and the
//                 router withdraws at once
//   crash_ms      node 2 a dead host (port dark, Balancer and BIRD killed): the outage for new connections, until the
//                 router's BGP hold timer (3 s) or, with --bfd, BFD (100 ms x 3) notices
// An outage is the time from the event to the start of the last new connection that failed (a probe opens one every
// 10 ms, each with a 1 s deadline); 0 when none failed. Each new connection is its own ECMP flow, so about a third
// of them go to the node in trouble until the router converges.
var rounds = Option("--rounds", 10);
var bfd = args.Contains("--bfd");
var results = new List<Dictionary<string, double>>();
await using (var cluster = await ScaleOutCluster.StartAsync(bfd: bfd))
{
    Console.WriteLine($"cluster up ({(bfd ? "BGP hold time 3 s + BFD 100 ms x 3" : "BGP hold time 3 s, no BFD")}); {rounds} rounds");
    Console.WriteLine("round  spread_min spread_max  withdraw_ms  back_ms  proc_ms  kill_ms  crash_ms");
    for (var round = 1; round <= rounds; round++)
    {
        var row = new Dictionary<string, double>();
        var spread = VipTraffic.Shares(await VipTraffic.SpreadAsync(cluster.Client, 600));
        row["spread_min"] = spread.Skip(1).Min();
        row["spread_max"] = spread.Skip(1).Max();

        var watch = Stopwatch.StartNew();
        cluster.CutBackends(1, cut: true);
        row["withdraw_ms"] = (await cluster.WaitForNextHopsAsync([2, 3], TimeSpan.FromSeconds(30))).TotalMilliseconds;
        cluster.CutBackends(1, cut: false);
        row["back_ms"] = (await cluster.WaitForNextHopsAsync([1, 2, 3], TimeSpan.FromSeconds(30))).TotalMilliseconds;

        row["proc_ms"] = await OutageAsync(cluster, TimeSpan.FromSeconds(8), clock => { var at = clock.Elapsed; cluster.Node(2).Signal(9); return at; });
        cluster.RestartBalancer(2);
        await cluster.WaitForNextHopsAsync([1, 2, 3], TimeSpan.FromSeconds(60));

        row["kill_ms"] = await OutageAsync(cluster, TimeSpan.FromSeconds(2), clock => cluster.KillProcesses(2, clock));
        await cluster.RecoverAsync(2);

        row["crash_ms"] = await OutageAsync(cluster, TimeSpan.FromSeconds(bfd ? 2 : 5), clock => cluster.Crash(2, clock).Dark);
        await cluster.RecoverAsync(2);
        results.Add(row);
        Console.WriteLine($"{round,5}  {row["spread_min"],10:P1} {row["spread_max"],10:P1}  {row["withdraw_ms"],11:0}  {row["back_ms"],7:0}  {row["proc_ms"],7:0}  {row["kill_ms"],7:0}  {row["crash_ms"],8:0}");
    }
}

Console.WriteLine();
Console.WriteLine($"| {(bfd ? "with BFD 100 ms x 3" : "BGP hold time 3 s")}, {rounds} rounds | median | min | max |");
Console.WriteLine("|---|---|---|---|");
foreach (var key in results[0].Keys)
{
    var values = results.Select(r => r[key]).Order().ToArray();
    var format = key.StartsWith("spread", StringComparison.Ordinal) ? "P1" : "0";
    Console.WriteLine($"| {key} | {Median(values).ToString(format, CultureInfo.InvariantCulture)} | {values[0].ToString(format, CultureInfo.InvariantCulture)} | {values[^1].ToString(format, CultureInfo.InvariantCulture)} |");
}

int Option(string name, int fallback) =>
    Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

static double Median(double[] sorted) => sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;

// New connections every 10 ms, the event 0.5 s in, for 0.5 s + after + 1 s (the 1 s deadline of the last ones);
// the outage is the event to the start of the last failure.
static async Task<double> OutageAsync(ScaleOutCluster cluster, TimeSpan after, Func<Stopwatch, TimeSpan> happen)
{
    var clock = Stopwatch.StartNew();
    var probe = VipTraffic.ProbeAsync(cluster.Client, clock, TimeSpan.FromSeconds(0.5) + after, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1));
    await Task.Delay(500);
    var at = happen(clock);
    var failed = (await probe).Where(a => !a.Ok && a.At >= at).ToList();
    return failed.Count == 0 ? 0 : (failed.Max(a => a.At) - at).TotalMilliseconds;
}

using System.Diagnostics;
using System.Security.Cryptography;
using Balancer.Chaos.Checks;

namespace Balancer.Chaos.Pair;

/// <summary>
/// The pair mode: two Balancers (lb1 priority 150, lb2 100, 100 ms adverts) float a virtual IP in network namespaces
/// while a client requests it every 10 ms and the seeded schedule crashes (kill -9, with or without the host's link),
/// restarts (preempt on or off), gracefully restarts, freezes (SIGSTOP/SIGCONT) and disconnects (link flap) either
/// node. Checked all along: at every 10 ms sample at most one live node holds the address (after the takeover
/// window), and the client is never without an answer for longer than Master_Down_Interval + 100 ms.
/// </summary>
internal sealed class PairRun(RunOptions options, string work)
{
    private readonly Violations _violations = new();
    private readonly ViolationContext _context = new();
    private int _step;

    public async Task<int> RunAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("the pair mode needs root (network namespaces)");
        }

        using var net = PairTopology.Create();
        var key = Path.Combine(work, "peer.key");
        File.WriteAllText(key, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var nodes = new List<PairNode>
        {
            new("lb1", 150, net.Lb1, PairTopology.Lb1Address, PairTopology.Lb2Address, work, options.BalancerDll, key),
            new("lb2", 100, net.Lb2, PairTopology.Lb2Address, PairTopology.Lb1Address, work, options.BalancerDll, key),
        };
        var masterDown = nodes.Max(n => n.MasterDownMs);
        var window = (3 * PairNode.AdvertIntervalMs) + 100.0;
        var servedBound = masterDown + 100;
        Console.WriteLine($"pair: lb1 priority 150, lb2 100, adverts every {PairNode.AdvertIntervalMs} ms; Master_Down_Interval {masterDown:0.#} ms");
        Console.WriteLine($"bounds: one holder of {PairTopology.VirtualIp} outside a takeover window of {window:0} ms (3 advert intervals + 100 ms) after an event; client served within {servedBound:0.#} ms (Master_Down_Interval + 100 ms)");

        ChildProcess.Start(Path.Combine(work, "backend.log"), ["ip", "netns", "exec", net.Backend, "dotnet", options.BalancerDll, "demo-backend", "--bind", $"{PairTopology.BackendAddress}:8080", "--name", "backend"]);
        using var vips = new VipMonitor(PairTopology.VirtualIp, [net.Lb1, net.Lb2]);
        await nodes[0].StartAsync(preempt: true, TimeSpan.FromSeconds(60));
        await nodes[1].StartAsync(preempt: true, TimeSpan.FromSeconds(60));
        var served = new ServedTracker();
        // Every request that failed, with why (deadline, refused, reset), for reading a gap after the run.
        using var failures = new StreamWriter(Path.Combine(work, "client-failures.log")) { AutoFlush = true };
        using var client = new LineProcess(line => served.OnLine(line, failures), "ip", "netns", "exec", net.Client, "dotnet", typeof(PairRun).Assembly.Location,
            "client", "--target", $"{PairTopology.VirtualIp}:8080", "--duration", $"{options.Duration.TotalSeconds + 120:0}");
        using var sampler = new HolderSampler(nodes, vips, window, what =>
        {
            _violations.Add(Volatile.Read(ref _step), what);
            _context.Add(what, DateTime.Now - TimeSpan.FromMilliseconds(window), DateTime.Now + TimeSpan.FromSeconds(1)); // its end is not known yet
        });
        if (await SettleAsync(nodes, sampler, served, Now(), TimeSpan.FromSeconds(60)) is { } notUp)
        {
            throw new InvalidOperationException($"the pair did not come up: {notUp}");
        }

        sampler.Start();
        var report = new Report { Seed = options.Seed, Mode = "pair" };
        var schedule = new PairSchedule(options.Seed);
        var clock = Stopwatch.StartNew();
        var last = clock.Elapsed;
        while (clock.Elapsed < options.Duration)
        {
            var step = schedule.Next();
            var wait = last + step.GapBefore - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            if (client.HasExited)
            {
                // Every later step would read as "not served": the run cannot be judged, not a violation of Balancer.
                throw new InvalidOperationException($"the client exited before the run's end (see {Path.Combine(work, "client-failures.log")})");
            }

            last = clock.Elapsed;
            Volatile.Write(ref _step, step.Number);
            Console.Write($"#{step.Number,-4} {DateTime.Now:HH:mm:ss.fff} t={clock.Elapsed.TotalSeconds,6:0.0}s {step.Describe(),-42}");
            await PairSteps.ExecuteAsync(step, nodes[step.Node], sampler);
            var done = Now();
            var difference = await SettleAsync(nodes, sampler, served, done, TimeSpan.FromSeconds(10));
            var took = Now() - done;
            Console.WriteLine(difference is null ? $" settled {took,5} ms, {string.Join(" ", nodes.Select(n => $"{n.NodeId}:{(n.Live ? vips.Holds(n.Netns) ? "VIP" : "-" : "down")}"))}" : " NOT SETTLED");
            if (difference is not null)
            {
                _violations.Add(step.Number, $"{step.Describe()}: not settled within 10 s: {difference}");
                _context.Add($"step {step.Number} not settled", DateTime.Now - TimeSpan.FromSeconds(10), DateTime.Now);
            }

            report.Step(step.Kind.ToString(), took);
            JudgeGaps(served, servedBound, Now() - 300);
        }

        await Task.Delay(500);
        JudgeGaps(served, servedBound, Now() - 300);
        foreach (var node in nodes)
        {
            foreach (var line in File.ReadLines(node.LogPath).Where(l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal)).Take(10))
            {
                _violations.Add(report.Steps, $"stack trace in {node.NodeId}'s log: {line.Trim()}");
            }
        }

        report.Figures["client"] = new { served = served.Served, failed = served.Failed, longestGapMs = served.Longest.Ms, longestGapAt = DateTimeOffset.FromUnixTimeMilliseconds(served.Longest.At).ToLocalTime().ToString("HH:mm:ss.fff") };
        report.Figures["holderSamples"] = sampler.Samples;
        report.Figures["longestDoubleHoldMs"] = sampler.LongestDouble;
        report.Figures["violations"] = _violations.Count;
        report.Print(Console.Out);
        if (_violations.Count > 0)
        {
            using var context = new StreamWriter(Path.Combine(work, "violations-context.log"));
            _context.Print(context, nodes);
            Console.WriteLine($"what the nodes logged around each violation: {Path.Combine(work, "violations-context.log")}");
        }

        if (options.Json is { } json)
        {
            report.Save(json);
        }

        return _violations.Count == 0 ? 0 : 1;
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private void JudgeGaps(ServedTracker served, double bound, long upTo)
    {
        foreach (var (from, ms) in served.NewGaps(upTo, bound))
        {
            var start = DateTimeOffset.FromUnixTimeMilliseconds(from).ToLocalTime().DateTime;
            var what = $"client not served for {ms} ms from {start:HH:mm:ss.fff} (bound {bound:0} ms)";
            _violations.Add(Volatile.Read(ref _step), what);
            _context.Add(what, start, start + TimeSpan.FromMilliseconds(ms));
        }
    }

    /// <summary>
    /// Waits until exactly one live node holds the address, says master in /status while the other live one says
    /// backup, and the client was served after <paramref name="since"/>; null when so within <paramref name="bound"/>.
    /// </summary>
    private static async Task<string?> SettleAsync(IReadOnlyList<PairNode> nodes, HolderSampler sampler, ServedTracker served, long since, TimeSpan bound)
    {
        var watch = Stopwatch.StartNew();
        var problem = "";
        while (watch.Elapsed < bound)
        {
            var holders = sampler.Holders();
            if (holders.Count != 1)
            {
                problem = $"{holders.Count} live holders";
            }
            else if (!served.ServedSince(since))
            {
                problem = "the client was not served since the step";
            }
            else if (nodes.Where(n => n.Live).Select(n => (n, State: n.Status())).FirstOrDefault(x => x.State != (x.n == holders[0] ? "master" : "backup")) is { n: not null } wrong)
            {
                problem = $"{wrong.n.NodeId} says {wrong.State ?? "nothing"} in /status while {holders[0].NodeId} holds the address";
            }
            else
            {
                return null;
            }

            await Task.Delay(20);
        }

        return problem;
    }
}

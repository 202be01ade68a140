using System.Collections.Immutable;
using System.Diagnostics;
using Balancer.Chaos.Backends;
using Balancer.Chaos.Checks;
using Balancer.Chaos.Load;
using Balancer.Chaos.Steps;

namespace Balancer.Chaos;

/// <summary>
/// The backends mode: Balancer in front of chaos backends under steady keep-alive load, while the seeded schedule
/// kills, restarts, sickens, slows and resets backends, rewrites the config (valid, invalid, restored), drains,
/// enables and sends SIGHUP. After each step it waits for /status to show the step's effect within the step's bound,
/// then checks every invariant (see <see cref="TrafficChecks"/>, <see cref="Expectation"/>).
/// </summary>
internal sealed class BackendsRun(RunOptions options, string work)
{
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(1);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Violations _violations = new();
    private readonly ResourceSamples _resources = new();
    private readonly RequestTotals _totals = new();

    public async Task<int> RunAsync()
    {
        var settings = new ChaosSettings();
        var ports = RunOptions.FreePorts(2 + options.Backends);
        var driver = typeof(BackendsRun).Assembly.Location;
        var backends = Enumerable.Range(0, options.Backends).Select(i => new BackendProcess(i, ports[2 + i], work, driver)).ToList();
        var world = new World(options.Backends, new ConfigModel(options.Algorithm, ImmutableSortedDictionary.CreateRange(Enumerable.Range(0, Math.Min(3, options.Backends)).Select(i => KeyValuePair.Create(i, 1)))));
        var config = new ConfigText(settings, ports[0], ports[1], [.. backends.Select(b => b.Port)]);
        using var balancer = new BalancerUnderTest(options.BalancerDll, Path.Combine(work, "balancer.json"), Path.Combine(work, "balancer.log"), new Uri($"http://127.0.0.1:{ports[1]}"));
        var executor = new StepExecutor(balancer, backends, world, config, settings, () => _clock.ElapsedMilliseconds);
        var checks = new TrafficChecks(balancer, backends, executor, settings, _violations);
        var report = new Report { Seed = options.Seed, Mode = "backends" };
        Console.WriteLine(settings.Describe());

        await Task.WhenAll(backends.Select(b => b.StartAsync(TimeSpan.FromSeconds(60))));
        executor.WriteInitial();
        await balancer.StartAsync(TimeSpan.FromSeconds(60));
        var addresses = backends.Select(b => b.Address).ToList();
        if (await ConvergeAsync(balancer, new Expectation(world, addresses, executor.RunningHash, balancer.ConfigPath), TimeSpan.FromSeconds(30)) is { } notUp)
        {
            throw new InvalidOperationException($"Balancer did not come up as configured: {notUp}");
        }

        var load = new LoadGenerator(new Uri($"http://127.0.0.1:{ports[0]}"), _clock, options.Connections, options.Rate, options.PostEvery);
        load.Start(options.Seed);
        await Task.Delay(TimeSpan.FromSeconds(3)); // warm up before the first resource sample
        using var sampling = new CancellationTokenSource();
        var sampler = SampleAsync(balancer, sampling.Token);
        var scraper = ScrapeTotalsAsync(balancer, sampling.Token);
        var schedule = new Schedule(options.Seed, world) { MaxSlowMs = settings.MaxSlowMs };
        var started = _clock.Elapsed;
        var last = _clock.Elapsed;
        var failuresSeen = 0;
        var lastStep = 0;
        while (_clock.Elapsed - started < options.Duration)
        {
            var step = schedule.Next();
            lastStep = step.Number;
            var wait = last + step.GapBefore - _clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            last = _clock.Elapsed;
            Console.Write($"#{step.Number,-4} {DateTime.Now:HH:mm:ss.fff} t={(_clock.Elapsed - started).TotalSeconds,6:0.0}s {step.Describe(World.Algorithms),-34}");
            var bound = await executor.ExecuteAsync(step);
            var since = _clock.Elapsed;
            var expectation = new Expectation(world, addresses, executor.RunningHash, balancer.ConfigPath);
            var difference = await ConvergeAsync(balancer, expectation, bound);
            var took = (_clock.Elapsed - since).TotalMilliseconds;
            Console.WriteLine(difference is null ? $" converged {took,5:0} ms (bound {bound.TotalMilliseconds:0})" : " NOT CONVERGED");
            if (difference is not null)
            {
                _violations.Add(step.Number, $"{step.Describe(World.Algorithms)}: not shown within {bound.TotalMilliseconds:0} ms: {difference}");
                await ConvergeAsync(balancer, expectation, TimeSpan.FromSeconds(30)); // let it settle before the next step, if it ever does
            }

            report.Step(Report.KindOf(step), took);
            checks.ProbesMeanHealthy(step.Number, await balancer.StatusAsync());
            await checks.RoutingAsync(step.Number, s_window, options.Rate);
            await checks.MetricsAsync(step.Number);
            failuresSeen = CheckFailures(step.Number, load, executor, failuresSeen);
        }

        await load.DisposeAsync();
        CheckFailures(lastStep, load, executor, failuresSeen);
        await sampling.CancelAsync();
        await sampler;
        await scraper;
        await FinishAsync(balancer, load, executor, checks, report);
        return _violations.Count == 0 ? 0 : 1;
    }

    /// <summary>Polls /status until it shows <paramref name="expectation"/>; null when it did within <paramref name="bound"/>, else what still differed.</summary>
    private static async Task<string?> ConvergeAsync(BalancerUnderTest balancer, Expectation expectation, TimeSpan bound)
    {
        var deadline = Stopwatch.StartNew();
        List<string> differences = ["/status did not answer"];
        while (true)
        {
            if (await balancer.TryStatusAsync() is { } status && (differences = expectation.Differences(status)).Count == 0)
            {
                return null;
            }

            if (deadline.Elapsed > bound)
            {
                return string.Join("; ", differences);
            }

            await Task.Delay(25);
        }
    }

    /// <summary>No idempotent GET may fail; a POST only when a kill or reset happened while it was in flight.</summary>
    private int CheckFailures(int step, LoadGenerator load, StepExecutor executor, int seen)
    {
        var failures = load.Failures.ToList();
        foreach (var failure in failures.Skip(seen))
        {
            if (failure.IsGet)
            {
                _violations.Add(step, $"idempotent request failed: {failure}");
            }
            else if (!executor.DisruptedDuring(failure.StartMs, failure.EndMs))
            {
                _violations.Add(step, $"POST failed with no kill or reset while in flight: {failure}");
            }
        }

        return failures.Count;
    }

    private async Task SampleAsync(BalancerUnderTest balancer, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            _resources.Add(_clock.Elapsed, balancer.Process.Resources());
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Scrapes balancer_requests_total every 100 ms, so the series of a backend a reload removed are counted before they go.</summary>
    private async Task ScrapeTotalsAsync(BalancerUnderTest balancer, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                _totals.Add(await balancer.MetricsTextAsync());
                await Task.Delay(TimeSpan.FromMilliseconds(100), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (HttpRequestException)
            {
                // The admin API is busy or restarting its listener: the next scrape counts.
            }
        }
    }

    private async Task FinishAsync(BalancerUnderTest balancer, LoadGenerator load, StepExecutor executor, TrafficChecks checks, Report report)
    {
        _totals.Add(await balancer.MetricsTextAsync());
        var counted = _totals.Total;
        if (Math.Abs(counted - load.Finished) > Math.Max(load.Finished / 100.0, 5))
        {
            _violations.Add(report.Steps, $"balancer_requests_total {counted}, the clients finished {load.Finished}");
        }

        if (_resources.Growth() is { } growth)
        {
            _violations.Add(report.Steps, growth);
        }

        foreach (var line in balancer.StackTraceLines().Take(20))
        {
            _violations.Add(report.Steps, $"stack trace in the log: {line.Trim()}");
        }

        balancer.Process.Signal(ChildProcess.SigTerm);
        var exited = await balancer.Process.WaitForExitAsync(TimeSpan.FromSeconds(40));
        if (!exited)
        {
            _violations.Add(report.Steps, "balancer did not stop within 40 s of SIGTERM");
        }

        var failures = load.Failures.ToList();
        report.Figures["requests"] = new { gets = load.Gets, posts = load.Posts, ok = load.Ok, failed = failures.Count };
        report.Figures["failuresByKind"] = Report.FailuresByKind(failures, f => $"{f.Method} {f.What.Split(' ')[0]}{(f.IsGet ? "" : executor.DisruptedDuring(f.StartMs, f.EndMs) ? " in flight at a kill/reset" : " NOT at a kill")}");
        report.Figures["rssMiB"] = new { start = _resources.First.RssKib / 1024, end = _resources.Last.RssKib / 1024, peak = _resources.Peak.RssKib / 1024 };
        report.Figures["fds"] = new { start = _resources.First.Fds, end = _resources.Last.Fds, peak = _resources.Peak.Fds };
        report.Figures["countsWorstDifference"] = $"{checks.Ledger.WorstRatio * 100:0.00} %";
        report.Figures["violations"] = _violations.Count;
        report.Print(Console.Out);
        if (options.Json is { } json)
        {
            report.Save(json);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Balancer.Tests.Chaos;

/// <summary>Runs alone: its checks have time bounds, which a test suite running beside it on two cores would blur.</summary>
[CollectionDefinition(nameof(ChaosRunCollection), DisableParallelization = true)]
public sealed class ChaosRunCollection;

/// <summary>
/// The chaos run (bench/chaos, issue 17) for 60 s in the backends mode: Balancer under load while a seeded schedule
/// kills, restarts, sickens, slows and resets its backends and rewrites its config; every invariant must hold. The
/// seed is fixed so CI replays one schedule (CHAOS_SEED picks another); bench/chaos/run.sh runs longer and other seeds.
/// </summary>
[Collection(nameof(ChaosRunCollection))]
public sealed class ChaosRunTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 17;

    [Fact]
    public async Task BackendsMode_SixtySeconds_EveryInvariantHolds()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CHAOS_SEED"), CultureInfo.InvariantCulture, out var chosen) ? chosen : DefaultSeed;
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Balancer.Chaos.dll"), "run", "--balancer", Path.Combine(AppContext.BaseDirectory, "balancer.dll"), "--seed", $"{seed}", "--duration", "60" })
        {
            info.ArgumentList.Add(arg);
        }

        using var run = Process.Start(info)!;
        var stdout = run.StandardOutput.ReadToEndAsync();
        var stderr = run.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        try
        {
            await run.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            run.Kill(entireProcessTree: true);
            throw;
        }

        var text = await stdout + await stderr;
        output.WriteLine(text);
        Assert.True(run.ExitCode == 0, $"chaos run failed, seed {seed} (replay: bench/chaos/run.sh --seed {seed} --duration 60):\n{text}");
    }
}

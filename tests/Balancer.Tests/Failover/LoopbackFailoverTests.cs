using Balancer.Tests.Common;
using Xunit.Abstractions;

namespace Balancer.Tests.Failover;

/// <summary>Two real balancer processes on 127.0.0.1 with <c>vipAction: "none"</c>: election, takeover, preemption, hand-over.</summary>
// One failover pair at a time: each times takeovers and advert gaps, and the recorder and flood block test threads for 20–30 s.
[Collection("failover pairs")]
public sealed class LoopbackFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan _settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Pair_KillRestartAndSigterm_MasterMovesWithinTheRfcTimers()
    {
        using var files = new FailoverFiles();
        int port1 = FailoverFiles.FreeUdpPort(), port2 = FailoverFiles.FreeUdpPort();
        const string Fields = "\"vipAction\": \"none\", \"virtualIps\": [\"198.18.0.100/24\"]";
        var lb1Config = files.WriteNode("lb1", 150, $"127.0.0.1:{port1}", $"127.0.0.1:{port2}", Fields);
        var lb2Config = files.WriteNode("lb2", 100, $"127.0.0.1:{port2}", $"127.0.0.1:{port1}", Fields);
        var lb1 = BalancerProcess.Start("--config", lb1Config);
        using var lb2 = BalancerProcess.Start("--config", lb2Config);
        try
        {
            await files.WaitForRolesAsync("lb1", "lb2", _settle);

            // Master_Down_Interval for lb2 at 100 ms: 3 × 100 ms + (256 − 100) × 100 ms / 256 ≈ 361 ms (RFC 5798 §6.1).
            var mastered = files.HookCount("lb2", "master");
            lb1.Signal(9);
            var takeover = await files.WaitForHookAsync("lb2", "master", mastered + 1, _settle);
            output.WriteLine($"kill -9 master: backup's onMaster after {takeover.TotalMilliseconds:0} ms (RFC timer 361 ms)");
            await Wait.Until(() => lb2.Stdout.Contains("Backup -> Master on MasterDownTimerExpired: no master advert for 00:00:00.3609375", StringComparison.Ordinal), _settle, "lb2 took over when its Master_Down_Timer ran out");
            await lb1.WaitForExitAsync(_settle);
            lb1.Dispose();

            // lb1 comes back with the higher priority and preempts at once; lb2 steps down. The hook log still ends with
            // the killed lb1's "master": wait for the new process's own (its "backup" at start, then "master").
            var lb1Mastered = files.HookCount("lb1", "master");
            lb1 = BalancerProcess.Start("--config", lb1Config);
            await files.WaitForHookAsync("lb1", "master", lb1Mastered + 1, _settle);
            await files.WaitForRolesAsync("lb1", "lb2", _settle);

            // A frozen master (#17 item 4): lb2 takes over; on SIGCONT lb1 reads lb2's queued adverts and wins them back
            // as one incident: one dual-master line, one stall line, no "after the transition" line (lb1 had none).
            mastered = files.HookCount("lb2", "master");
            var backedUp = files.HookCount("lb2", "backup");
            var lb1BackedUp = files.HookCount("lb1", "backup");
            lb1.Signal(19);
            await files.WaitForHookAsync("lb2", "master", mastered + 1, _settle);
            var resumedAt = lb1.Stdout.Length;
            await Task.Delay(TimeSpan.FromSeconds(1.5)); // the freeze itself: lb2's adverts queue up in lb1's socket
            lb1.Signal(18);
            await files.WaitForHookAsync("lb2", "backup", backedUp + 1, _settle);
            await Wait.Until(() => lb1.Stdout[resumedAt..].Contains("advert stall", StringComparison.Ordinal), _settle, "lb1 logs its stall");
            var resumed = lb1.Stdout[resumedAt..];
            output.WriteLine($"lb1 after SIGCONT:\n{resumed}");
            Assert.Single(resumed.Split('\n'), l => l.Contains("dual master", StringComparison.Ordinal));
            Assert.DoesNotContain("after the transition", resumed, StringComparison.Ordinal);
            Assert.Equal(lb1BackedUp, files.HookCount("lb1", "backup")); // lb1 never stepped down
            Assert.Equal("master", files.LastHook("lb1"));

            // SIGTERM: lb1 resigns with priority 0, lb2 takes over after its skew time alone (~61 ms); lb1 leaves on lb2's second advert.
            mastered = files.HookCount("lb2", "master");
            lb1.Signal(15);
            var handover = await files.WaitForHookAsync("lb2", "master", mastered + 1, _settle);
            output.WriteLine($"SIGTERM master: backup's onMaster after {handover.TotalMilliseconds:0} ms (skew 61 ms)");
            await Wait.Until(() => lb2.Stdout.Contains("Backup -> Master on MasterDownTimerExpired: lb1 resigned and Skew_Time 00:00:00.0609375 passed", StringComparison.Ordinal), _settle, "lb2 took over on lb1's resign, after Skew_Time alone");
            Assert.Equal(0, await lb1.WaitForExitAsync(_settle));
            Assert.Contains("Master -> Init on Shutdown: handed over to lb2", lb1.Stdout, StringComparison.Ordinal); // held the VIPs until lb2 had them
        }
        catch
        {
            output.WriteLine($"lb1:\n{lb1.Stdout}{lb1.Stderr}\nlb2:\n{lb2.Stdout}{lb2.Stderr}");
            throw;
        }
        finally
        {
            lb1.Dispose();
        }
    }
}

using System.Security.Cryptography;
using System.Text;
using Balancer.Chaos.Backends;

namespace Balancer.Chaos.Steps;

/// <summary>
/// Carries out a step on the real processes and files (the model was already moved by the schedule), and says
/// within what bound Balancer must show its effect. Kills and connection resets are remembered with their time:
/// a POST that failed must have been in flight at one of them.
/// </summary>
internal sealed class StepExecutor(BalancerUnderTest balancer, IReadOnlyList<BackendProcess> backends, World world, ConfigText config, ChaosSettings settings, Func<long> now)
{
    /// <summary>How long the requests a reset cut take to fail and be seen by passive health.</summary>
    private static readonly TimeSpan ResetSettle = TimeSpan.FromMilliseconds(500);

    private readonly List<(long From, long To)> _disruptions = [];
    private readonly Dictionary<int, long> _slowEnded = [];

    /// <summary>The text of the config Balancer runs (the last valid file written).</summary>
    public string RunningText { get; private set; } = "";

    public string RunningHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(RunningText)));

    /// <summary>Run-clock times (ms) of every kill -9 (from the signal until the process was reaped) and connection reset.</summary>
    public IReadOnlyList<(long From, long To)> Disruptions => _disruptions;

    /// <summary>Whether a kill or reset happened while a request ran from <paramref name="start"/> to <paramref name="end"/> (run clock, ms).</summary>
    public bool DisruptedDuring(long start, long end) => _disruptions.Any(d => d.From <= end + 5 && d.To >= start - 5);

    /// <summary>
    /// Whether the backend answers slowly now, or stopped less than <paramref name="ms"/> ago (run clock): a latency
    /// estimate remembers it for a while after (response-time's peak EWMA decays over pools' decayTime, 10 s).
    /// </summary>
    public bool SlowWithin(int index, long ms) => world.Backends[index].SlowMs > 0 || (_slowEnded.TryGetValue(index, out var ended) && now() - ended < ms);

    /// <summary>Writes the initial config.</summary>
    public void WriteInitial()
    {
        RunningText = config.Render(world.Running);
        File.WriteAllText(balancer.ConfigPath, RunningText);
    }

    /// <summary>Does the step; returns the bound within which /status must show its effect.</summary>
    public async Task<TimeSpan> ExecuteAsync(ChaosStep step)
    {
        var b = step.Backend >= 0 ? backends[step.Backend] : null;
        switch (step.Kind)
        {
            case StepKind.Kill:
                var signalled = now();
                b!.Kill();
                _disruptions.Add((signalled, now()));
                _slowEnded[step.Backend] = now(); // it comes back fast; it may have been slow
                return settings.HealthBound;
            case StepKind.Restart:
                await b!.StartAsync(TimeSpan.FromSeconds(60));
                return settings.RecoveryBound;
            case StepKind.FailHealth or StepKind.PassHealth:
                Must(await b!.SetHealthAsync(step.Kind == StepKind.PassHealth), step);
                return step.Kind == StepKind.PassHealth ? settings.RecoveryBound : settings.HealthBound;
            case StepKind.Slow or StepKind.Fast:
                Must(await b!.SetSlowAsync(step.Kind == StepKind.Slow ? step.Value : 0), step);
                if (step.Kind == StepKind.Fast)
                {
                    _slowEnded[step.Backend] = now();
                }

                return settings.AdminBound;
            case StepKind.Reset:
                var asked = now();
                Must(await b!.ResetConnectionsAsync(), step);
                _disruptions.Add((asked, now()));
                // The requests it cut fail within milliseconds and may eject it (passive); its probes then bring it
                // back. Let that happen before the convergence starts, so the quiet window that follows is quiet.
                await Task.Delay(ResetSettle);
                return settings.RecoveryBound;
            case StepKind.AddBackend or StepKind.RemoveBackend or StepKind.ChangeWeight or StepKind.ChangeAlgorithm:
                Write(config.Render(world.Running), step, valid: true);
                return step.Kind == StepKind.AddBackend ? settings.AddBound : settings.ReloadBound;
            case StepKind.WriteInvalid:
                Write(config.RenderInvalid(world.Running, step.Value), step, valid: false);
                return settings.ReloadBound;
            case StepKind.Restore:
                Write(config.Render(world.Running), step, valid: true);
                return world.Previous is { } previous && world.Running.Weights.Keys.Any(i => !previous.Weights.ContainsKey(i)) ? settings.AddBound : settings.ReloadBound;
            case StepKind.Drain or StepKind.Enable:
                var code = await balancer.SetDrainingAsync(b!.Address, step.Kind == StepKind.Drain);
                Must(code == 200, step, $"admin answered {code}");
                return settings.AdminBound;
            case StepKind.Hangup:
                balancer.Hangup();
                return settings.ReloadBound;
            default:
                throw new InvalidOperationException($"unknown step {step.Kind}");
        }
    }

    /// <summary>
    /// Writes the config the way editors do: an odd step number writes in place (truncate and write), an even one
    /// writes a temporary file and renames it over (vim, sed -i, Kubernetes).
    /// </summary>
    private void Write(string text, ChaosStep step, bool valid)
    {
        if (valid)
        {
            RunningText = text;
        }

        if (step.Number % 2 == 1)
        {
            File.WriteAllText(balancer.ConfigPath, text);
        }
        else
        {
            var temporary = balancer.ConfigPath + ".tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, balancer.ConfigPath, overwrite: true);
        }
    }

    private static void Must(bool done, ChaosStep step, string? why = null)
    {
        if (!done)
        {
            throw new InvalidOperationException($"step {step.Number} ({step.Kind}) could not be carried out{(why is null ? "" : $": {why}")}");
        }
    }
}

using System.Collections.Immutable;

namespace Balancer.Chaos.Steps;

/// <summary>
/// The seeded random schedule: each step is drawn from the seed and the <see cref="World"/> model alone (never from
/// what the run observed), and applied to the model at once, so a seed replays the same steps exactly. A step never
/// leaves the pool without a backend that serves: a request in flight at a kill must have somewhere to be retried.
/// </summary>
internal sealed class Schedule(int seed, World world)
{
    private static readonly (StepKind Kind, int Weight)[] s_kinds =
    [
        (StepKind.Kill, 10), (StepKind.Restart, 14), (StepKind.FailHealth, 6), (StepKind.PassHealth, 8),
        (StepKind.Slow, 5), (StepKind.Fast, 5), (StepKind.Reset, 7), (StepKind.AddBackend, 5), (StepKind.RemoveBackend, 4),
        (StepKind.ChangeWeight, 6), (StepKind.ChangeAlgorithm, 5), (StepKind.WriteInvalid, 6), (StepKind.Restore, 5),
        (StepKind.Drain, 5), (StepKind.Enable, 6), (StepKind.Hangup, 4),
    ];

    private readonly Random _random = new(seed);
    private int _number;

    public World World { get; } = world;

    /// <summary>Draws the next step and applies it to the model.</summary>
    public ChaosStep Next()
    {
        var gap = TimeSpan.FromMilliseconds(_random.Next(500, 3001));
        while (true)
        {
            var kind = Draw();
            var targets = World.Backends.Select(b => b.Index).Where(i => Eligible(kind, i)).ToList();
            var needsTarget = kind is not (StepKind.ChangeAlgorithm or StepKind.WriteInvalid or StepKind.Restore or StepKind.Hangup);
            if ((needsTarget && targets.Count == 0) || (kind == StepKind.Restore && !CanRestore()))
            {
                continue;
            }

            var target = needsTarget ? targets[_random.Next(targets.Count)] : -1;
            var value = kind switch
            {
                StepKind.Slow => _random.Next(50, Math.Max(51, MaxSlowMs)),
                StepKind.ChangeWeight => NewWeight(target),
                StepKind.ChangeAlgorithm => OtherAlgorithm(),
                StepKind.WriteInvalid => _random.Next(ConfigText.InvalidVariants.Count),
                _ => 0,
            };
            if (value < 0)
            {
                continue;
            }

            var step = new ChaosStep(++_number, kind, target, value, gap);
            Apply(step);
            return step;
        }
    }

    public int MaxSlowMs { get; init; } = 300;

    private StepKind Draw()
    {
        var roll = _random.Next(s_kinds.Sum(k => k.Weight));
        foreach (var (kind, weight) in s_kinds)
        {
            if ((roll -= weight) < 0)
            {
                return kind;
            }
        }

        throw new InvalidOperationException("unreachable");
    }

    private bool Eligible(StepKind kind, int i)
    {
        var b = World.Backends[i];
        return kind switch
        {
            StepKind.Kill => b.Alive && World.CanDisrupt(i),
            StepKind.Restart => !b.Alive,
            StepKind.FailHealth => b.Alive && b.HealthPass && World.CanDisrupt(i),
            StepKind.PassHealth => !b.HealthPass,
            StepKind.Slow => b.Alive && b.SlowMs == 0,
            StepKind.Fast => b.Alive && b.SlowMs > 0,
            StepKind.Reset => b.Alive && World.CanDisrupt(i),
            StepKind.AddBackend => World.FileValid && !World.InConfig(i),
            StepKind.RemoveBackend => World.FileValid && World.InConfig(i) && World.Running.Weights.Count > 2 && World.CanDisrupt(i),
            StepKind.ChangeWeight => World.FileValid && World.InConfig(i),
            StepKind.Drain => World.InConfig(i) && !b.Draining && World.CanDisrupt(i),
            StepKind.Enable => World.InConfig(i) && b.Draining,
            _ => false,
        };
    }

    /// <summary>Over an invalid file: put the running one back. Otherwise: go back to the config before the last change, if that keeps a backend serving.</summary>
    private bool CanRestore() =>
        !World.FileValid || (World.Previous is { } previous && previous.Weights.Keys.Any(i => World.ExpectHealthy(i) && !World.Backends[i].Draining && previous.Weights[i] > 0));

    private int NewWeight(int target)
    {
        var weight = _random.Next(0, 5);
        return weight == World.WeightOf(target) || (weight == 0 && !World.CanDisrupt(target)) ? -1 : weight;
    }

    private int OtherAlgorithm()
    {
        var index = _random.Next(World.Algorithms.Count);
        return !World.FileValid || World.Algorithms[index] == World.Running.Algorithm ? -1 : index;
    }

    private void Apply(ChaosStep step)
    {
        var b = step.Backend >= 0 ? World.Backends[step.Backend] : null;
        var weights = World.Running.Weights;
        switch (step.Kind)
        {
            case StepKind.Kill: b!.Alive = false; b.SlowMs = 0; b.HealthPass = true; break; // a restarted process starts healthy and fast
            case StepKind.Restart: b!.Alive = true; break;
            case StepKind.FailHealth: b!.HealthPass = false; break;
            case StepKind.PassHealth: b!.HealthPass = true; break;
            case StepKind.Slow: b!.SlowMs = step.Value; break;
            case StepKind.Fast: b!.SlowMs = 0; break;
            case StepKind.AddBackend: World.Apply(World.Running with { Weights = weights.Add(step.Backend, 1) }); break;
            case StepKind.RemoveBackend: World.Apply(World.Running with { Weights = weights.Remove(step.Backend) }); break;
            case StepKind.ChangeWeight: World.Apply(World.Running with { Weights = weights.SetItem(step.Backend, step.Value) }); break;
            case StepKind.ChangeAlgorithm: World.Apply(World.Running with { Algorithm = World.Algorithms[step.Value] }); break;
            case StepKind.WriteInvalid: World.WroteInvalid(); break;
            case StepKind.Restore when !World.FileValid: World.PutBackRunning(); break;
            case StepKind.Restore: World.Apply(World.Previous!); break;
            case StepKind.Drain: b!.Draining = true; break;
            case StepKind.Enable: b!.Draining = false; break;
            case StepKind.Reset or StepKind.Hangup: break;
        }
    }
}

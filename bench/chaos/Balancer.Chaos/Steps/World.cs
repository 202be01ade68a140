using System.Collections.Immutable;

namespace Balancer.Chaos.Steps;

/// <summary>What the schedule did to one backend process: the state Balancer must come to show.</summary>
internal sealed class ModelBackend(int index)
{
    public int Index { get; } = index;

    public bool Alive { get; set; } = true;

    public bool HealthPass { get; set; } = true;

    public int SlowMs { get; set; }

    /// <summary>Drained through the admin API (forgotten when a reload removes the backend).</summary>
    public bool Draining { get; set; }
}

/// <summary>A config the schedule writes: the algorithm and the backends (by index) with their weights.</summary>
internal sealed record ConfigModel(string Algorithm, ImmutableSortedDictionary<int, int> Weights);

/// <summary>
/// The schedule's model of the world, changed only by the steps (never by what the run observes), so that a seed
/// gives the same steps every time: the backends, the config running in Balancer, and the file on disk.
/// </summary>
internal sealed class World
{
    public static readonly IReadOnlyList<string> Algorithms = ["round-robin", "least-connections", "response-time", "random", "power-of-two"];

    public World(int backends, ConfigModel initial)
    {
        Backends = [.. Enumerable.Range(0, backends).Select(i => new ModelBackend(i))];
        Running = initial;
    }

    public IReadOnlyList<ModelBackend> Backends { get; }

    /// <summary>The config Balancer runs: the last valid file it loaded.</summary>
    public ConfigModel Running { get; private set; }

    /// <summary>The config that ran before <see cref="Running"/>, for "restore the previous one".</summary>
    public ConfigModel? Previous { get; private set; }

    /// <summary>Whether the file on disk is the running config (false after an invalid write).</summary>
    public bool FileValid { get; private set; } = true;

    public int? WeightOf(int index) => Running.Weights.TryGetValue(index, out var w) ? w : null;

    public bool InConfig(int index) => Running.Weights.ContainsKey(index);

    /// <summary>Balancer should show the backend healthy: its process runs and its probe passes.</summary>
    public bool ExpectHealthy(int index) => Backends[index].Alive && Backends[index].HealthPass;

    /// <summary>Takes new requests by the model: in config, healthy, not draining, weight above 0.</summary>
    public bool Good(int index) => InConfig(index) && ExpectHealthy(index) && !Backends[index].Draining && WeightOf(index) > 0;

    public int GoodCount => Backends.Count(b => Good(b.Index));

    /// <summary>Whether taking <paramref name="index"/> out of service still leaves a backend to serve (and to retry on).</summary>
    public bool CanDisrupt(int index) => !Good(index) || GoodCount >= 2;

    public void Apply(ConfigModel next)
    {
        foreach (var removed in Running.Weights.Keys.Except(next.Weights.Keys))
        {
            Backends[removed].Draining = false; // a removed backend's runtime state goes with it
        }

        Previous = Running;
        Running = next;
        FileValid = true;
    }

    public void WroteInvalid() => FileValid = false;

    /// <summary>The running file was put back over an invalid one.</summary>
    public void PutBackRunning() => FileValid = true;
}

using Balancer.Core.Model;

namespace Balancer.Core.Announce;

/// <summary>One tracked pool as a check saw it: healthy backends taking traffic, of all it has.</summary>
public readonly record struct TrackedPool(string Name, int Available, int Backends);

/// <summary>
/// One check of whether the node can serve the announced addresses: its listeners serve, and every tracked pool has
/// a backend that is up. A pool in panic mode (Envoy's: sending to all its backends because too few are healthy)
/// counts only the ones that are up, so a pool whose backends are all down never passes.
/// </summary>
/// <param name="ListenersServing">False before the listeners are up and once they stop.</param>
/// <param name="Pools">Each tracked pool, in config order.</param>
public sealed record AnnounceHealth(bool ListenersServing, IReadOnlyList<TrackedPool> Pools)
{
    /// <summary>True when the node can serve.</summary>
    public bool Healthy => ListenersServing && Pools.All(p => p.Available > 0);

    /// <summary>Why the node cannot serve, e.g. <c>pool web has no healthy backend (0 of 3)</c>; null when it can.</summary>
    public string? Problem
    {
        get
        {
            var problems = Pools.Where(p => p.Available == 0).Select(p => $"pool {p.Name} has no healthy backend (0 of {p.Backends})").ToList();
            if (!ListenersServing)
            {
                problems.Insert(0, "the listeners are not serving");
            }

            return problems.Count == 0 ? null : string.Join("; ", problems);
        }
    }

    /// <summary>Checks the pools named <paramref name="tracked"/> in <paramref name="registry"/>; a pool it lacks counts as empty.</summary>
    public static AnnounceHealth Check(bool listenersServing, IReadOnlyList<string> tracked, PoolRegistry registry)
    {
        var pools = new TrackedPool[tracked.Count];
        for (var i = 0; i < pools.Length; i++)
        {
            var snapshot = registry.Get(tracked[i])?.Snapshot;
            var up = snapshot is null ? 0 : snapshot.Available.Count(b => b.Health == BackendHealth.Up);
            pools[i] = new TrackedPool(tracked[i], up, snapshot?.All.Count(b => !b.Removed) ?? 0);
        }

        return new AnnounceHealth(listenersServing, pools);
    }
}

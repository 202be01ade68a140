using Balancer.Core.Model;

namespace Balancer.Core.LoadBalancing;

/// <summary>
/// Chooses the backend of a new L4 connection with the pool's algorithm and reserves one of its
/// connection slots, skipping backends at their limit (HAProxy's server <c>maxconn</c>) and the
/// one whose connect just failed.
/// </summary>
public static class ConnectionPicker
{
    /// <summary>
    /// A backend already counted in flight (call <see cref="BackendState.OnFinished"/> when done), or null
    /// when every available backend is at <paramref name="maxPerBackend"/> (0 = no limit) or is <paramref name="avoid"/>.
    /// </summary>
    public static BackendState? PickAndStart(PoolSnapshot snapshot, int maxPerBackend, BackendState? avoid)
        => PickAndStart(snapshot, maxPerBackend, avoid, null, 0, 0);

    /// <summary>
    /// Like <see cref="PickAndStart(PoolSnapshot, int, BackendState?)"/>, but a <c>hash</c> pool first tries the backend of
    /// <paramref name="keyHash"/> (bounded by <paramref name="balanceFactor"/>, <paramref name="inFlight"/> being the pool's
    /// other requests); without a key, or when that one is full, the algorithm's own order applies.
    /// </summary>
    public static BackendState? PickAndStart(PoolSnapshot snapshot, int maxPerBackend, BackendState? avoid, ulong? keyHash, double balanceFactor, int inFlight)
    {
        if (keyHash is { } hash && snapshot.PickByHash(hash, balanceFactor, inFlight, avoid) is { } keyed && keyed.TryStart(maxPerBackend))
        {
            return keyed;
        }

        // Ask the algorithm first, so its order (round-robin, least-connections, ...) holds; bound the
        // tries by the pool size, since it may keep offering a full backend.
        for (var i = 0; i < snapshot.Available.Length; i++)
        {
            var backend = snapshot.Pick();
            if (backend is null)
            {
                return null;
            }

            if (backend != avoid && backend.TryStart(maxPerBackend))
            {
                return backend;
            }
        }

        // Random choices can miss the one backend with room: look at each in turn before refusing.
        foreach (var backend in snapshot.Available)
        {
            if (backend != avoid && backend.TryStart(maxPerBackend))
            {
                return backend;
            }
        }

        return null;
    }
}

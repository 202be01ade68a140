using Balancer.Core.Affinity;
using Balancer.Core.Model;

namespace Balancer.Core.LoadBalancing;

/// <summary>What an L7 request tells the pool's choice: its affinity cookie, read once, and its hash key.</summary>
/// <param name="Status">What the pool's affinity cookie says (<see cref="AffinityStatus.None"/> when the pool has no affinity).</param>
/// <param name="Named">The backend the cookie names, when it names one.</param>
/// <param name="KeyHash">The <see cref="StableHash"/> of the pool's <c>hashKey</c>; null when the pool does not hash or the request has no key.</param>
public readonly record struct PickRequest(AffinityStatus Status, BackendState? Named, ulong? KeyHash);

/// <summary>How affinity went for one pick.</summary>
public enum AffinityOutcome
{
    /// <summary>The pool has no affinity.</summary>
    Off,

    /// <summary>The request went where its cookie named: no cookie to set.</summary>
    Followed,

    /// <summary>The request had no (known) cookie: the pick is new and the response sets the cookie.</summary>
    Assigned,

    /// <summary>The cookie named a backend that could not take it (down, removed, full, failed): re-picked, cookie replaced.</summary>
    Replaced,
}

/// <summary>
/// The choice of one pool for one L7 request (HAProxy's order): a valid affinity cookie first — its backend takes the
/// request while it is up and not removed, even draining (HAProxy's drain keeps persistent sessions), unless it is at
/// <c>maxRequestsPerBackend</c> or just failed; otherwise the pool's algorithm, by the request's hash key for <c>hash</c>.
/// Pure and allocation-free; a route split over pools (issue #22) can read <see cref="PoolSnapshot.Affinity"/> of each
/// side the same way to keep a client on the side its cookie names.
/// </summary>
public static class RequestPicker
{
    /// <summary>
    /// A backend already counted in flight (call <see cref="BackendState.OnFinished"/>), or null when none can take the
    /// request; <paramref name="outcome"/> says whether the response must set the cookie. Counts affine requests on
    /// the backend and replaced cookies and key-less hash requests in <paramref name="counters"/>.
    /// <paramref name="inFlight"/> is the pool's other requests in flight (bounded loads).
    /// </summary>
    public static BackendState? PickAndStart(
        PoolSnapshot snapshot, PoolCounters counters, in PickRequest request, int maxPerBackend, BackendState? avoid, int inFlight, out AffinityOutcome outcome)
    {
        if (request.Status == AffinityStatus.Usable && request.Named is { } named && named != avoid && named.TryStart(maxPerBackend))
        {
            named.OnAffine();
            outcome = AffinityOutcome.Followed;
            return named;
        }

        outcome = snapshot.Affinity is null ? AffinityOutcome.Off
            : request.Status is AffinityStatus.Usable or AffinityStatus.Unavailable ? AffinityOutcome.Replaced
            : AffinityOutcome.Assigned;
        if (snapshot.HashesKeys && request.KeyHash is null)
        {
            counters.OnHashFallback();
        }

        var backend = ConnectionPicker.PickAndStart(snapshot, maxPerBackend, avoid, request.KeyHash, snapshot.HashBalanceFactor, inFlight);
        if (backend is not null && outcome == AffinityOutcome.Replaced)
        {
            counters.OnAffinityReplaced();
        }

        return backend;
    }
}

namespace Balancer.Tests.Traffic;

/// <summary>
/// The traffic policy tests take turns: every Balancer in this process publishes the same meter, so one balancer's
/// <c>/metrics</c> also carries the affinity, hash and rate limit series of another running at the same time, and
/// only these tests configure pools and routes that have them.
/// </summary>
[CollectionDefinition(nameof(TrafficCollection))]
public sealed class TrafficCollection;

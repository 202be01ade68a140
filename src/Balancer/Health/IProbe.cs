using Balancer.Core.Configuration;
using Balancer.Core.Health;

namespace Balancer.Health;

/// <summary>One active probe of one backend; ends by its timeout whatever the backend does.</summary>
internal interface IProbe
{
    /// <summary>Probes <paramref name="address"/>; <paramref name="httpVersion"/> is its pool's (<see cref="HttpVersions"/>).</summary>
    Task<ProbeResult> ProbeAsync(string address, HealthConfig health, string httpVersion, CancellationToken cancellationToken);
}

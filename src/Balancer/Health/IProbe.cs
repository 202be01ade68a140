using Balancer.Core.Configuration;
using Balancer.Core.Health;

namespace Balancer.Health;

/// <summary>One active probe of one backend; ends by its timeout whatever the backend does.</summary>
internal interface IProbe
{
    Task<ProbeResult> ProbeAsync(string address, HealthConfig health, CancellationToken cancellationToken);
}

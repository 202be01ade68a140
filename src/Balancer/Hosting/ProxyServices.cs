using Balancer.Core.Model;
using Balancer.Telemetry;

namespace Balancer.Hosting;

/// <summary>What every listener host shares: the core pools, the clock, logging and telemetry.</summary>
internal sealed record ProxyServices(
    PoolRegistry Pools, TimeProvider Time, ILoggerFactory Logs, BalancerMetrics Metrics, AccessLog? AccessLog, TimeSpan DrainTimeout);

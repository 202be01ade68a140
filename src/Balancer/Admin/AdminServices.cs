using System.Diagnostics.Metrics;
using Balancer.Core.Model;
using Balancer.Hosting;
using Balancer.Reload;
using Balancer.Telemetry;

namespace Balancer.Admin;

/// <summary>What the admin API reads and acts on.</summary>
internal sealed record AdminServices(
    RuntimeState State, PoolRegistry Pools, IConfigReloader Reloader, PrometheusExporter Prometheus, IMeterFactory Meters, TimeProvider Time, ILoggerFactory Logs);

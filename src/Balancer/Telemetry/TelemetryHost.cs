using Balancer.Core.Configuration;
using Balancer.Core.Failover;
using Balancer.Core.Model;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Balancer.Telemetry;

/// <summary>
/// Registers the OpenTelemetry SDK once for the whole process: a meter provider feeding <c>/metrics</c> and, when
/// configured, OTLP; a tracer provider for OTLP; and the access log. Not through OpenTelemetry.Extensions.Hosting:
/// Balancer runs several Kestrel hosts (one per listener, the admin one) that share these providers and outlive
/// none of them, while that package ties the providers to one host's service container. Not through the
/// instrumentation packages either: HttpClient's own span already carries the semantic-convention tags on .NET 10;
/// ASP.NET Core's does not (it is named <c>Microsoft.AspNetCore.Hosting.HttpRequestIn</c>, without <c>url.path</c>
/// or <c>http.route</c>), and OpenTelemetry.Instrumentation.AspNetCore would add them, but with tracing on it
/// measured 0.89x the requests per CPU-second of listening to the source as here (docs/performance-notes.md).
/// </summary>
internal sealed class TelemetryHost : IAsyncDisposable
{
    /// <summary>
    /// Meters collected besides Balancer's own: Kestrel (connections) and the runtime. Not ASP.NET
    /// Core hosting's nor HttpClient's: their per-request instruments repeat balancer.requests and
    /// balancer.request.duration, and HttpClient flips http.client.open_connections (5 tags) between
    /// idle and active twice per proxied request. Dropping them measured +25 % requests per
    /// CPU-second (docs/performance-notes.md), so they are opt-in: <c>telemetry.detailedMeters</c>.
    /// </summary>
    private static readonly string[] BuiltInMeters = ["Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    /// <summary>The per-request built-in meters <c>telemetry.detailedMeters</c> adds.</summary>
    private static readonly string[] DetailedMeters = ["Microsoft.AspNetCore.Hosting", "System.Net.Http"];

    /// <summary>Points per runtime instrument (see <see cref="Stream"/>).</summary>
    internal const int RuntimeCardinality = 100;

    /// <summary>Points per Kestrel instrument: ~20 error types times protocols, for each listener.</summary>
    internal const int KestrelCardinality = 1000;

    private readonly MeterProvider _meters;
    private readonly TracerProvider? _tracer;

    public TelemetryHost(TelemetryConfig config, Func<PoolRegistry?> pools, Func<FailoverSnapshot?> failover)
    {
        Config = config;
        var factory = new OwnedMeterFactory();
        Metrics = new BalancerMetrics(factory, pools, failover);
        Prometheus = new PrometheusExporter();
        var resource = ResourceBuilder.CreateDefault().AddService(config.ServiceName, serviceVersion: typeof(TelemetryHost).Assembly.GetName().Version?.ToString(3));
        var meters = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter([BalancerMetrics.MeterName, BalancerMetrics.PoolMeterPrefix + "*", .. BuiltInMeters, .. config.DetailedMeters ? DetailedMeters : []])
            // Only this process's own meters, and the runtime's static ones: a meter of the same name made elsewhere (another
            // Balancer in a test process, a demo backend's host) would merge with ours and, disposed, drop our series too.
            .AddView(instrument => instrument.Meter.Scope is null || factory.Owns(instrument.Meter) ? Stream(instrument) : MetricStreamConfiguration.Drop)
            .AddReader(Prometheus.Reader);
        if (config.OtlpEndpoint is { } endpoint)
        {
            meters.AddOtlpExporter((exporter, _) => Configure(exporter, endpoint, config.OtlpProtocol, "v1/metrics"));
            _tracer = Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource(BalancerActivities.SourceName, "Microsoft.AspNetCore", "System.Net.Http")
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(config.SampleRatio)))
                .AddOtlpExporter(exporter => Configure(exporter, endpoint, config.OtlpProtocol, "v1/traces"))
                .Build();
        }

        _meters = meters.Build();
        Metrics.Listening();
        AccessLog = config.AccessLog is { } target ? AccessLog.Open(target) : null;
    }

    /// <summary>The telemetry settings this host was built with (changing them needs a restart).</summary>
    public TelemetryConfig Config { get; }

    public BalancerMetrics Metrics { get; }

    public PrometheusExporter Prometheus { get; }

    public AccessLog? AccessLog { get; }

    public async ValueTask DisposeAsync()
    {
        _tracer?.Dispose();
        _meters.Dispose();
        Metrics.Dispose();
        if (AccessLog is not null)
        {
            await AccessLog.DisposeAsync();
        }
    }

    /// <summary>
    /// The SDK allocates every metric stream's points up front, 2,000 by default: 176 KB per instrument, 11 MB for
    /// the ~65 instruments here, live for the process's life (#27). The runtime's instruments carry fixed tags (GC
    /// generation, CPU mode, exception type) and Kestrel's one set per endpoint, protocol and error: a few hundred
    /// points are room enough. Balancer's own keep the default: their series grow with backends and pools.
    /// </summary>
    private static MetricStreamConfiguration? Stream(System.Diagnostics.Metrics.Instrument instrument) => instrument.Meter.Name switch
    {
        "System.Runtime" => new MetricStreamConfiguration { CardinalityLimit = RuntimeCardinality },
        "Microsoft.AspNetCore.Server.Kestrel" => new MetricStreamConfiguration { CardinalityLimit = KestrelCardinality },
        _ => null,
    };

    /// <summary>OTLP/HTTP wants each signal's full path when the endpoint is set in code; gRPC takes the bare address.</summary>
    private static void Configure(OtlpExporterOptions exporter, string endpoint, string protocol, string signalPath)
    {
        exporter.Protocol = protocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        exporter.Endpoint = protocol == "grpc" ? new Uri(endpoint) : new Uri(new Uri(endpoint.TrimEnd('/') + "/"), signalPath);
    }
}

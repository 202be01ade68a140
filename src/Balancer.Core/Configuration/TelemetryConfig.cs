namespace Balancer.Core.Configuration;

/// <summary>Traces, OTLP export and the access log. Prometheus <c>/metrics</c> on the admin API is always on.</summary>
public sealed record TelemetryConfig
{
    /// <summary>OTLP collector endpoint (e.g. <c>http://127.0.0.1:4318</c>); null exports nothing.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary><c>http</c> (OTLP/HTTP protobuf, the default) or <c>grpc</c>.</summary>
    public string OtlpProtocol { get; init; } = "http";

    /// <summary>Share of requests traced when no upstream decision exists (parent-based), 0–1. Default 1.</summary>
    public double SampleRatio { get; init; } = 1;

    /// <summary><c>service.name</c> of the exported telemetry. Default <c>balancer</c>.</summary>
    public string ServiceName { get; init; } = "balancer";

    /// <summary>
    /// Also collect ASP.NET Core hosting's and HttpClient's per-request meters (http.server.*,
    /// http.client.*). Off by default: they repeat Balancer's own request metrics and cost about a
    /// fifth of the proxy's throughput per CPU-second (docs/performance-notes.md).
    /// </summary>
    public bool DetailedMeters { get; init; }

    /// <summary>Where to write one JSON line per request: <c>stdout</c>, a file path, or null (the default) for none.</summary>
    public string? AccessLog { get; init; }
}

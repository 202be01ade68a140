namespace Balancer.Core.Configuration;

/// <summary>Active health checking of a pool's backends.</summary>
public sealed record HealthConfig
{
    /// <summary><c>http</c>, <c>grpc</c>, <c>tcp</c> or <c>none</c>. Default <c>none</c>.</summary>
    public string Probe { get; init; } = ProbeKinds.None;

    /// <summary>HTTP probe path. Default <c>/healthz</c>.</summary>
    public string Path { get; init; } = "/healthz";

    /// <summary>HTTP probe method. Default <c>GET</c>.</summary>
    public string Method { get; init; } = "GET";

    /// <summary>Host header for HTTP probes; null sends the backend's own authority.</summary>
    public string? Host { get; init; }

    /// <summary>Time between probes of one backend. Default 2 s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A probe that has not succeeded by then fails. Default 1 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Consecutive successes that mark a backend up. Default 2.</summary>
    public int Rise { get; init; } = 2;

    /// <summary>Consecutive failures that mark a backend down. Default 3.</summary>
    public int Fall { get; init; } = 3;

    /// <summary>Status codes an HTTP probe accepts, e.g. <c>200-399</c> or <c>200,204</c>. Default <c>200-399</c>.</summary>
    public string ExpectStatus { get; init; } = "200-399";

    /// <summary>A substring the HTTP probe's response body must contain; null checks no body.</summary>
    public string? ExpectBody { get; init; }

    /// <summary>The service the <c>grpc</c> probe asks about; null asks about the server as a whole (the empty name).</summary>
    public string? Service { get; init; }
}

/// <summary>Probe kind names as they appear in config.</summary>
public static class ProbeKinds
{
    /// <summary>An HTTP request whose status must fall in the expected ranges.</summary>
    public const string Http = "http";

    /// <summary>The standard gRPC health check (<c>grpc.health.v1.Health/Check</c>), which must answer SERVING.</summary>
    public const string Grpc = "grpc";

    /// <summary>A TCP connect that must succeed.</summary>
    public const string Tcp = "tcp";

    /// <summary>No active probing: backends are up unless ejected passively.</summary>
    public const string None = "none";
}

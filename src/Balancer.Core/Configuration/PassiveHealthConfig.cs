namespace Balancer.Core.Configuration;

/// <summary>
/// Passive health checking (outlier detection) on live traffic. A connection refused, reset or
/// timed out always ejects the backend at once; consecutive failed responses (5xx, and gRPC calls
/// ending with a status of <see cref="GrpcFailureStatuses"/>) do when configured.
/// </summary>
public sealed record PassiveHealthConfig
{
    /// <summary>Consecutive 5xx responses that eject a backend; 0 (the default) never ejects on status.</summary>
    public int Consecutive5xx { get; init; }

    /// <summary>
    /// gRPC status names (<c>grpc-status</c> of a call's trailers) that count towards <see cref="Consecutive5xx"/> like a
    /// 5xx, as Envoy maps them for outlier detection. Default <c>UNAVAILABLE</c>; other statuses are the application's answer.
    /// </summary>
    public IReadOnlyList<string> GrpcFailureStatuses { get; init; } = [DefaultGrpcFailureStatus];

    /// <summary>The default of <see cref="GrpcFailureStatuses"/>.</summary>
    public const string DefaultGrpcFailureStatus = "UNAVAILABLE";

    /// <summary>First ejection's length; each repeat offence doubles it. Default 10 s.</summary>
    public TimeSpan EjectTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest ejection. Default 5 min.</summary>
    public TimeSpan MaxEjectTime { get; init; } = TimeSpan.FromMinutes(5);
}

namespace Balancer.Core.Configuration;

/// <summary>The admin API listener.</summary>
public sealed record AdminConfig
{
    /// <summary>Address and port of the admin API. Default <c>127.0.0.1:9901</c>.</summary>
    public string Bind { get; init; } = "127.0.0.1:9901";

    /// <summary>File holding the bearer token every admin call must present; required off loopback.</summary>
    public string? TokenFile { get; init; }

    /// <summary>
    /// Where the audit log goes: <c>stdout</c>, or a file appended to (relative to the config file's directory). One JSON
    /// line per admin action, reload and failover transition. Null (the default): no audit log.
    /// </summary>
    public string? AuditLog { get; init; }
}

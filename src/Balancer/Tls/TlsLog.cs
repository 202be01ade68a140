namespace Balancer.Tls;

/// <summary>Log messages of TLS, front and back (event ids 5xx, see LogEventIds).</summary>
internal static partial class TlsLog
{
    [LoggerMessage(501, LogLevel.Information, "listener {Listener}: serving certificate {Subject} (expires {NotAfter:yyyy-MM-dd})")]
    public static partial void CertificateLoaded(ILogger logger, string listener, string subject, DateTimeOffset notAfter);

    [LoggerMessage(502, LogLevel.Error, "certificate reload rejected, the old certificate keeps serving: {Error}")]
    public static partial void CertificateRejected(ILogger logger, string error);

    [LoggerMessage(503, LogLevel.Warning, "{Pool}: TLS handshake with backend {Backend} failed, answering 502: {Reason}")]
    public static partial void BackendTlsFailed(ILogger logger, string pool, string backend, string reason);

    [LoggerMessage(505, LogLevel.Error, "pool {Pool}: {Problem}")]
    public static partial void BackendTlsFileFailed(ILogger logger, string pool, string problem);

    [LoggerMessage(504, LogLevel.Warning, "pool {Pool}: certificate validation failed for backend {Host}: {Reason}")]
    public static partial void BackendCertificateRejected(ILogger logger, string pool, string host, string reason);
}

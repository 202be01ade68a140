namespace Balancer.Telemetry;

/// <summary>
/// Counts the requests Kestrel refuses itself, before any middleware runs (its 400/408/413/414/431, HTTP/2 stream and
/// connection errors): Kestrel reports them only as Debug log events, so this logger provider, enabled for just those
/// categories of one listener's host, turns each into <see cref="BalancerMetrics.RequestRefused"/>. Nothing is formatted.
/// </summary>
internal sealed class KestrelRefusalCounter(string listener, BalancerMetrics metrics) : ILoggerProvider, ILogger
{
    /// <summary>Kestrel's log category of bad HTTP/1.x requests (event <c>ConnectionBadRequest</c>).</summary>
    public const string BadRequestsCategory = "Microsoft.AspNetCore.Server.Kestrel.BadRequests";

    /// <summary>Kestrel's HTTP/2 log category (events <c>Http2StreamError</c>, <c>Http2ConnectionError</c>, <c>HPackDecodingError</c>).</summary>
    public const string Http2Category = "Microsoft.AspNetCore.Server.Kestrel.Http2";

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var reason = eventId.Name switch
        {
            "ConnectionBadRequest" => RefusalReasons.ForStatus(exception is BadHttpRequestException bad ? bad.StatusCode : 400),
            "Http2StreamError" => RefusalReasons.Http2StreamError,
            "Http2ConnectionError" or "HPackDecodingError" => RefusalReasons.Http2ConnectionError,
            _ => null,
        };
        if (reason is not null)
        {
            metrics.RequestRefused(listener, reason);
        }
    }

    public void Dispose()
    {
    }
}

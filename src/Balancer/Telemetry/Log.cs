namespace Balancer.Telemetry;

/// <summary>Every log message of the executable, with stable event ids (ranges in LogEventIds).</summary>
internal static partial class Log
{
    [LoggerMessage(101, LogLevel.Information, "{Pool} request failed at {Backend} before any answer (try {Try}); retrying on another backend")]
    public static partial void RetryingRequest(ILogger logger, string pool, string backend, int @try);

    [LoggerMessage(102, LogLevel.Warning, "{Pool} {Backend} DOWN: {Reason}")]
    public static partial void BackendDown(ILogger logger, string pool, string backend, string reason);

    [LoggerMessage(103, LogLevel.Information, "{Pool} {Backend} UP: {Reason}")]
    public static partial void BackendUp(ILogger logger, string pool, string backend, string reason);

    [LoggerMessage(104, LogLevel.Warning, "{Pool} PANIC: only {Healthy} of {Total} backends healthy (threshold {Threshold}%), sending traffic to all of them")]
    public static partial void PanicEntered(ILogger logger, string pool, int healthy, int total, int threshold);

    [LoggerMessage(105, LogLevel.Information, "{Pool} left panic mode")]
    public static partial void PanicLeft(ILogger logger, string pool);

    [LoggerMessage(201, LogLevel.Information, "config reloaded on {Trigger} (sha256 {Hash}): {Summary}")]
    public static partial void ConfigReloaded(ILogger logger, Balancer.Reload.ReloadTrigger trigger, string hash, string summary);

    [LoggerMessage(202, LogLevel.Error, "config rejected, the running config keeps serving: {Error}")]
    public static partial void ConfigRejected(ILogger logger, string error);

    [LoggerMessage(203, LogLevel.Information, "{Pool} {Backend} drained and forgotten ({InFlight} in flight)")]
    public static partial void BackendForgotten(ILogger logger, string pool, string backend, int inFlight);

    [LoggerMessage(204, LogLevel.Information, "config unchanged on {Trigger} (sha256 {Hash}): the file on disk is the running config")]
    public static partial void ConfigUnchanged(ILogger logger, Balancer.Reload.ReloadTrigger trigger, string hash);

    [LoggerMessage(205, LogLevel.Warning, "reload on {Trigger} refused: shutting down, the config is no longer reloaded")]
    public static partial void ReloadRefusedShuttingDown(ILogger logger, Balancer.Reload.ReloadTrigger trigger);

    [LoggerMessage(307, LogLevel.Information, "listener {Listener} on {Address} stopped")]
    public static partial void ListenerStopped(ILogger logger, string listener, string address);

    [LoggerMessage(106, LogLevel.Information, "{Pool} connect to {Backend} failed: {Failure} (try {Try} of {Tries})")]
    public static partial void TcpConnectFailed(ILogger logger, string pool, string backend, string failure, int @try, int tries);

    [LoggerMessage(107, LogLevel.Warning, "listener {Listener}: no backend of pool {Pool} could take the connection; closing it")]
    public static partial void TcpNoBackend(ILogger logger, string listener, string pool);

    [LoggerMessage(108, LogLevel.Information, "listener {Listener}: connection from {Client} closed: {Reason}")]
    public static partial void ProxyHeaderRejected(ILogger logger, string listener, string client, string reason);

    [LoggerMessage(301, LogLevel.Information, "listener {Listener} ({Protocol}) serving on {Address}")]
    public static partial void ListenerStarted(ILogger logger, string listener, string protocol, string address);

    [LoggerMessage(309, LogLevel.Information, "listener {Listener} proxy path warmed up in {Milliseconds:0} ms before serving (route {Route}: {Method} {Host}{Path} to a loopback sink): {Outcome}")]
    public static partial void ProxyWarmedUp(ILogger logger, string listener, double milliseconds, int route, string method, string host, string path, string outcome);

    [LoggerMessage(310, LogLevel.Information, "first probes before serving: {Probed} of {Total} backends probed, {Up} up, in {Milliseconds:0} ms (waited up to {Limit} s)")]
    public static partial void FirstProbes(ILogger logger, int probed, int total, int up, double milliseconds, double limit);

    [LoggerMessage(302, LogLevel.Information, "admin API serving on {Address}")]
    public static partial void AdminStarted(ILogger logger, string address);

    [LoggerMessage(303, LogLevel.Information, "config {Path} loaded (sha256 {Hash}): {Pools} pools, {Backends} backends, {Listeners} listeners")]
    public static partial void ConfigLoaded(ILogger logger, string path, string hash, int pools, int backends, int listeners);

    [LoggerMessage(304, LogLevel.Information, "{Signal} received: draining for up to {DrainSeconds} s, then exiting")]
    public static partial void ShuttingDown(ILogger logger, string signal, double drainSeconds);

    [LoggerMessage(305, LogLevel.Information, "stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(308, LogLevel.Debug, "start-up failed: {Failure}")]
    public static partial void StartupFailureDetail(ILogger logger, string failure, Exception detail);

    [LoggerMessage(602, LogLevel.Information, "{Pool} {Backend} {Action} by admin API")]
    public static partial void AdminBackendAction(ILogger logger, string pool, string backend, string action);
}

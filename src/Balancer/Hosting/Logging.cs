namespace Balancer.Hosting;

/// <summary>The process's one logger factory: single-line console logs with timestamps.</summary>
internal static class Logging
{
    /// <summary>The environment variable that sets the minimum level (<c>Debug</c>, <c>Information</c>, …).</summary>
    public const string LevelVariable = "BALANCER_LOG_LEVEL";

    /// <summary>Information by default; <c>BALANCER_LOG_LEVEL=Debug</c> adds the detail behind start-up failures.</summary>
    public static LogLevel ConfiguredLevel =>
        Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable(LevelVariable), ignoreCase: true, out var level) ? level : LogLevel.Information;

    public static ILoggerFactory CreateFactory() => CreateFactory(ConfiguredLevel);

    public static ILoggerFactory CreateFactory(LogLevel minimum) => LoggerFactory.Create(logs =>
    {
        logs.SetMinimumLevel(minimum);
        logs.AddFilter("Microsoft", LogLevel.Warning);
        // YARP logs every failed forward as a warning with a stack trace; Balancer logs the
        // backend going DOWN (with the reason) and each retry itself, once.
        logs.AddFilter("Yarp", LogLevel.Error);
        logs.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
    });
}

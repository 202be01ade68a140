namespace Balancer.Hosting;

/// <summary>The process's one logger factory: single-line console logs with timestamps.</summary>
internal static class Logging
{
    public static ILoggerFactory CreateFactory(LogLevel minimum = LogLevel.Information) => LoggerFactory.Create(logs =>
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

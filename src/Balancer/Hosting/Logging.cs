namespace Balancer.Hosting;

/// <summary>The process's one logger factory: single-line console logs with timestamps.</summary>
internal static class Logging
{
    public static ILoggerFactory CreateFactory(LogLevel minimum = LogLevel.Information) => LoggerFactory.Create(logs =>
    {
        logs.SetMinimumLevel(minimum);
        logs.AddFilter("Microsoft", LogLevel.Warning);
        logs.AddFilter("Yarp", LogLevel.Warning);
        logs.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
    });
}

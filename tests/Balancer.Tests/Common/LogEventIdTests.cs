using System.Reflection;
using Balancer.Telemetry;
using Microsoft.Extensions.Logging;

namespace Balancer.Tests.Common;

public sealed class LogEventIdTests
{
    private static IEnumerable<(MethodInfo Method, int Id)> Messages() =>
        typeof(LogEventIds).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (x.Method, x.Attribute!.EventId));

    [Fact]
    public void LoggerMessages_Exist_AreFound()
    {
        Assert.True(Messages().Count() > 30, "reflection found too few [LoggerMessage] methods: the test would pass vacuously");
    }

    [Fact]
    public void LoggerMessages_EventIds_AreUnique()
    {
        var duplicates = Messages().GroupBy(m => m.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => $"{m.Method.DeclaringType!.Name}.{m.Method.Name}"))}")
            .ToList();
        Assert.True(duplicates.Count == 0, "duplicate log event ids:\n" + string.Join("\n", duplicates));
    }

    [Fact]
    public void LoggerMessages_EventIds_LieInADeclaredRange()
    {
        var outside = Messages().Where(m => LogEventIds.AreaOf(m.Id) is null)
            .Select(m => $"{m.Id}: {m.Method.DeclaringType!.Name}.{m.Method.Name}").ToList();
        Assert.True(outside.Count == 0, "log event ids outside every range of LogEventIds:\n" + string.Join("\n", outside));
    }
}

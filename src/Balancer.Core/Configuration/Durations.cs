namespace Balancer.Core.Configuration;

/// <summary>Formats durations the way config writes them (<c>500ms</c>, <c>2s</c>, <c>1m30s</c>).</summary>
public static class Durations
{
    /// <summary>The shortest config-style text for <paramref name="value"/>.</summary>
    public static string Format(TimeSpan value) => value switch
    {
        { TotalMilliseconds: < 1000 } => $"{value.TotalMilliseconds:0.###}ms",
        { TotalSeconds: < 60 } => $"{value.TotalSeconds:0.###}s",
        { Seconds: 0, TotalMinutes: < 60 } => $"{value.TotalMinutes:0}m",
        { TotalMinutes: < 60 } => $"{value.Minutes}m{value.Seconds}s",
        _ => $"{value.TotalHours:0.###}h",
    };
}

using System.Diagnostics;

namespace Balancer.Telemetry;

/// <summary>The one <see cref="ActivitySource"/> of Balancer: a span per proxied request and per health probe.</summary>
internal static class BalancerActivities
{
    public const string SourceName = "Balancer";

    public static readonly ActivitySource Source = new(SourceName, typeof(BalancerActivities).Assembly.GetName().Version?.ToString(3));
}

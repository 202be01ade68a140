using Balancer.Core.Announce;

namespace Balancer.Telemetry;

/// <content>Announcement messages (7xx).</content>
internal static partial class Log
{
    [LoggerMessage(701, LogLevel.Information, "announce: {Vips} on {Interface} while healthy (tracked pools [{Pools}]; rise {Rise}, fall {Fall}, checks every {Interval} s; address lifetime {Lifetime} s, 0 = none)")]
    public static partial void AnnounceStarted(ILogger logger, string vips, string @interface, string pools, int rise, int fall, double interval, double lifetime);

    [LoggerMessage(702, LogLevel.Warning, "announce {From} -> {To}: {Reason}")]
    public static partial void AnnounceStateChanged(ILogger logger, AnnounceState from, AnnounceState to, string reason);

    [LoggerMessage(703, LogLevel.Error, "announce: cannot {Action} {Address} on {Interface}: {Problem} (retried every check; logged again when the problem changes)")]
    public static partial void AnnounceAddressFailed(ILogger logger, string action, string address, string @interface, string problem);

    [LoggerMessage(704, LogLevel.Information, "announce: {Action} {Address} on {Interface} works again")]
    public static partial void AnnounceAddressRecovered(ILogger logger, string action, string address, string @interface);

    [LoggerMessage(705, LogLevel.Information, "announce: withdrew {Vips} for shutdown; serving {Seconds:0.0} s more while the router converges, then draining")]
    public static partial void AnnounceShutdown(ILogger logger, string vips, double seconds);

    [LoggerMessage(706, LogLevel.Information, "announce reconfigured live: {Vips} on {Interface}, tracked pools [{Pools}], rise {Rise}, fall {Fall}")]
    public static partial void AnnounceReconfigured(ILogger logger, string vips, string @interface, string pools, int rise, int fall);
}

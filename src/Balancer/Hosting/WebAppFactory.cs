using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Balancer.Hosting;

/// <summary>
/// Builds the small web applications Balancer runs (one per HTTP listener, one for admin) with
/// the same logging and without their own signal handling: <see cref="BalancerServer"/> owns
/// SIGTERM/SIGINT/SIGHUP and stops them all together.
/// </summary>
internal static class WebAppFactory
{
    /// <summary>
    /// A slim builder with Balancer's logging; <paramref name="meters"/> (the process's <see cref="Telemetry.OwnedMeterFactory"/>)
    /// replaces the host's own meter factory, so that its Kestrel meter is the one every host shares and /metrics collects.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(ILoggerFactory logs, TimeSpan drainTimeout, IMeterFactory? meters = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // No appsettings.json watching: each watcher costs an inotify instance (128 per user
            // by default) and Balancer runs several hosts; its own config has its own watcher.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "balancer",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new SharedLoggerProvider(logs));
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Yarp", LogLevel.Error);
        // With this category enabled at any level, ASP.NET Core's hosting diagnostics open a log
        // scope and start an Activity for every request (HostingApplicationDiagnostics.BeginRequest),
        // and HttpClient then propagates that Activity to the backend. It only logs
        // "Request starting/finished" at Information, which Balancer filters out anyway; turning it
        // off measured +8-15 % requests per CPU-second (docs/benchmarks.md). A configured OTLP
        // tracer still gets its per-request Activity, because it listens to the ActivitySource.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // YARP registers data protection for session affinity, which Balancer never uses.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        // Cleartext HTTP/2 is served by CleartextHttp2Detection, not by ALPN, so this start-up warning is moot.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error);
        // A bind failure is logged here as "Hosting failed to start" with a 3 KB stack trace, then rethrown:
        // StartupException turns it into one line and logs the detail at debug level.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        if (meters is not null)
        {
            // An instance the container did not create is not disposed with it: the meters outlive this host.
            builder.Services.AddSingleton(meters);
        }

        builder.Services.AddSingleton<IHostLifetime, ExternalLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = drainTimeout);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        return builder;
    }

    /// <summary>The endpoint Kestrel actually bound (the real port when config asked for port 0).</summary>
    public static string BoundAddress(WebApplication app, IPEndPoint requested)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var first = addresses?.FirstOrDefault();
        if (first is null || !Uri.TryCreate(first.Replace("[::]", "[::1]", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return BindAddress.Format(requested);
        }

        return BindAddress.Format(new IPEndPoint(requested.Address, uri.Port));
    }

    /// <summary>A lifetime that neither listens for signals nor prints banners.</summary>
    private sealed class ExternalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Shares the process's one logger factory among several hosts; its owner disposes it once.</summary>
    private sealed class SharedLoggerProvider(ILoggerFactory inner) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => inner.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}

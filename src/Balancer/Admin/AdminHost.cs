using System.Diagnostics.Metrics;
using System.Text.Json;
using Balancer.Core.Model;
using Balancer.Core.Configuration;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Admin;

/// <summary>The admin API on <c>admin.bind</c>: status, and drain/enable of single backends.</summary>
internal sealed class AdminHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AdminHost(WebApplication app, string boundAddress)
    {
        _app = app;
        BoundAddress = boundAddress;
    }

    public string BoundAddress { get; }

    public static async Task<AdminHost> StartAsync(
        AdminConfig config, RuntimeState state, PoolRegistry pools, Reload.IConfigReloader reloader, PrometheusExporter prometheus, IMeterFactory meters, TimeProvider time, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var endpoint = BindAddress.Parse(config.Bind);
        var builder = WebAppFactory.CreateBuilder(logs, TimeSpan.FromSeconds(1), meters);
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        var app = builder.Build();
        var logger = logs.CreateLogger("Balancer.Admin");
        var auth = new AdminAuth(config.TokenFile, logger);
        app.Use(async (context, next) =>
        {
            if (auth.IsAuthorized(context))
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"balancer\"";
            if (context.Request.Method == HttpMethods.Get && context.Request.Path == "/")
            {
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync(Dashboard.LoginPage);
                return;
            }

            await context.Response.WriteAsJsonAsync(new { error = "missing or wrong bearer token (admin.tokenFile)" });
        });

        app.MapGet("/", async context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsync(Dashboard.Page);
        });
        app.MapGet("/metrics", async context =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await context.Response.WriteAsync(prometheus.Scrape());
        });

        app.MapGet("/status", async context =>
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await using var json = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { Indented = true });
            StatusWriter.Write(json, state, pools, time);
        });
        app.MapPost("/reload", async () =>
        {
            var result = await reloader.ReloadAsync(Reload.ReloadTrigger.AdminApi);
            return Results.Json(
                new { applied = result.Applied, hash = result.Hash, changes = result.Changes.Select(c => c.ToString()), errors = result.Errors },
                statusCode: result.Applied ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
        });
        app.MapGet("/config", async context =>
        {
            // The file as loaded: it holds no secrets (those live in the files it names).
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(state.ConfigText);
        });
        app.MapPost("/pools/{pool}/backends/{address}/drain", (string pool, string address) => SetDraining(pools, logger, pool, address, draining: true));
        app.MapPost("/pools/{pool}/backends/{address}/enable", (string pool, string address) => SetDraining(pools, logger, pool, address, draining: false));

        await app.StartAsync(cancellationToken);
        return new AdminHost(app, WebAppFactory.BoundAddress(app, endpoint));
    }

    private static IResult SetDraining(PoolRegistry pools, ILogger logger, string pool, string address, bool draining)
    {
        // Kestrel decodes the path except %2F, which would split segments; undo that last step.
        address = Uri.UnescapeDataString(address);
        var owner = pools.Get(pool);
        var backend = owner?.Find(address);
        if (owner is null || backend is null)
        {
            return Results.NotFound(new { error = $"pool '{pool}' has no backend '{address}'" });
        }

        owner.SetDraining(backend, draining);
        Log.AdminBackendAction(logger, pool, address, draining ? "drained" : "enabled");
        return Results.Ok(new { pool, address, draining = backend.Draining, inflight = backend.InFlight });
    }

    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

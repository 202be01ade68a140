using System.Diagnostics.Metrics;
using System.Text.Json;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Hosting;
using Balancer.Telemetry;
using Microsoft.AspNetCore.Http.Features;

namespace Balancer.Admin;

/// <summary>The admin API on <c>admin.bind</c>: status, config, metrics, reload, and drain/enable of single backends.</summary>
internal sealed class AdminHost : IAsyncDisposable
{
    private static readonly string[] s_read = [HttpMethods.Get, HttpMethods.Head];
    private readonly WebApplication _app;
    private readonly UnauthorizedLog _refusals;
    private readonly string? _published;

    private AdminHost(WebApplication app, UnauthorizedLog refusals, string boundAddress, string? published)
    {
        _app = app;
        _refusals = refusals;
        BoundAddress = boundAddress;
        _published = published;
    }

    public string BoundAddress { get; }

    public static async Task<AdminHost> StartAsync(
        AdminConfig config, RuntimeState state, PoolRegistry pools, Reload.IConfigReloader reloader, PrometheusExporter prometheus, IMeterFactory meters, TimeProvider time, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var endpoint = BindAddress.Parse(config.Bind);
        var builder = WebAppFactory.CreateBuilder(logs, TimeSpan.FromSeconds(1), meters);
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        // Answers are read by people with curl: "pool 'web'", "&&", not \u0027 and \u0026 (JSON, never HTML).
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        var app = builder.Build();
        var logger = logs.CreateLogger("Balancer.Admin");
        var refusals = new UnauthorizedLog(logger, time);
        // Relative to the config file, as `balancer check` and start-up resolve it.
        var tokenFile = config.TokenFile is null ? null : Path.GetFullPath(config.TokenFile, Path.GetDirectoryName(Path.GetFullPath(state.ConfigPath))!);
        var auth = new AdminAuth(tokenFile, logger, refusals);
        app.Use(async (context, next) =>
        {
            var decision = auth.Check(context);
            if (decision.Status == 0)
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = decision.Status;
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"balancer\"";
            if (decision.Status == StatusCodes.Status401Unauthorized && context.Request.Method == HttpMethods.Get && context.Request.Path == "/")
            {
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync(Dashboard.LoginPage);
                return;
            }

            await context.Response.WriteAsJsonAsync(new { error = decision.Error });
        });

        // HEAD as GET without the body (Kestrel drops it), as load-balancer health checks and monitoring probes send.
        app.MapMethods("/", s_read, async context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsync(Dashboard.Page);
        });
        app.MapMethods("/metrics", s_read, async context =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await context.Response.WriteAsync(prometheus.Scrape());
        });
        app.MapMethods("/status", s_read, async context =>
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
        app.MapMethods("/config", s_read, async context =>
        {
            // The file as loaded: it holds no secrets (those live in the files it names).
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(state.ConfigText);
        });
        app.MapPost("/pools/{pool}/backends/{**address}", (HttpContext context) => BackendAction(context, pools, logger));

        await app.StartAsync(cancellationToken);
        var bound = WebAppFactory.BoundAddress(app, endpoint);
        return new AdminHost(app, refusals, bound, RunningInstance.Publish(bound, tokenFile, state.ConfigPath, logger));
    }

    /// <summary>drain or enable, on the backend named by the path as the client sent it (see <see cref="BackendTarget"/>).</summary>
    private static IResult BackendAction(HttpContext context, PoolRegistry pools, ILogger logger)
    {
        var target = BackendTarget.Resolve(context.Features.Get<IHttpRequestFeature>()!.RawTarget, pools);
        if (target.Backend is not { } backend)
        {
            return Results.Json(new { error = target.Error }, statusCode: target.Status);
        }

        if (target.Action is not ("drain" or "enable"))
        {
            return Results.NotFound(new { error = $"unknown action '{target.Action}': use drain or enable" });
        }

        var draining = target.Action == "drain";
        var changed = target.Pool!.SetDraining(backend, draining);
        if (changed)
        {
            // Only a change is logged: repeating a drain (scripts, retries) says nothing new.
            Log.AdminBackendAction(logger, target.Pool.Name, backend.Address, draining ? "drained" : "enabled");
        }

        return Results.Ok(new { pool = target.Pool.Name, address = backend.Address, draining = backend.Draining, changed, inflight = backend.InFlight });
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_published is not null)
        {
            RunningInstance.Withdraw(_published);
        }

        return _app.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_published is not null)
        {
            RunningInstance.Withdraw(_published);
        }

        await _app.DisposeAsync();
        _refusals.Dispose();
    }
}

using System.Text.Json;
using Balancer.Admin.Panels;
using Balancer.Reload;
using Microsoft.AspNetCore.Http.Features;

namespace Balancer.Admin;

/// <summary>The admin API's routes (the contract in PRODUCT.md) and what the dashboard polls.</summary>
internal static class AdminEndpoints
{
    private static readonly string[] s_read = [HttpMethods.Get, HttpMethods.Head];

    // Read by the page's script, never put into HTML as it is: quotes need not be escaped as \u0022.
    private static readonly JsonWriterOptions s_console = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(WebApplication app, AdminServices services, ILogger logger)
    {
        var state = services.State;
        // HEAD as GET without the body (Kestrel drops it), as load-balancer health checks and monitoring probes send.
        app.MapMethods("/", s_read, context => Dashboard.ServePageAsync(context));
        app.MapMethods("/assets/{name}", s_read, (HttpContext context, string name) => Dashboard.ServeAssetAsync(context, name));
        app.MapMethods("/metrics", s_read, async context =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await context.Response.WriteAsync(services.Prometheus.Scrape());
        });
        app.MapMethods("/status", s_read, async context =>
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await using var json = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { Indented = true });
            StatusWriter.Write(json, state, services.Pools, services.Time);
        });
        app.MapPost("/reload", async (HttpContext context) =>
        {
            var result = await services.Reloader.ReloadAsync(ReloadTrigger.AdminApi, AdminCaller.Of(context));
            return Results.Json(
                new ReloadAnswer(result.Applied, result.Hash, [.. result.Changes.Select(c => c.ToString())], result.Errors),
                AdminAnswers.Of<ReloadAnswer>(),
                statusCode: result.Applied ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
        });
        app.MapMethods("/config", s_read, async context =>
        {
            // The file as loaded: it holds no secrets (those live in the files it names).
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(state.ConfigText);
        });
        // A RequestDelegate that executes the IResult itself: as a Delegate the request delegate generator of Native
        // AOT could not resolve the handler (a delegate variable, RDG002) or changed how its answer is written.
        app.MapPost("/pools/{pool}/backends/{**address}", async context =>
        {
            var result = await BackendActions.RunAsync(context, context.Features.Get<IHttpRequestFeature>()!.RawTarget, services.Pools, state.Timeline, logger);
            await result.ExecuteAsync(context);
        });

        // The dashboard's own reads: one poll a second, and the rejected file when it changes.
        app.MapGet("/console/poll", async context =>
        {
            if (PollQuery.Parse(context.Request.Query["q"]) is not { } query)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new AdminError(PollQuery.Usage), AdminAnswers.Of<AdminError>());
                return;
            }

            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            await using var json = new Utf8JsonWriter(context.Response.BodyWriter, s_console);
            PollWriter.Write(json, query, services);
        });
        app.MapGet("/console/rejected", async context =>
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            await using var json = new Utf8JsonWriter(context.Response.BodyWriter, s_console);
            ConfigPanelWriter.WriteRejected(json, state.LastRejected);
        });
    }
}

using System.Net;
using Balancer.Hosting;

namespace Balancer.Demo;

/// <summary>
/// A tiny backend for the demo (and for docker-compose): answers with its name (<c>X-Backend</c>) and the address that
/// connected to it (<c>X-Peer-Address</c>: the balancer that proxied the request), and can be
/// made slow (<c>?delay=300ms</c> or <c>POST /demo/slow?delay=300ms</c>), made to fail its health
/// check (<c>POST /demo/unhealthy</c>, <c>POST /demo/healthy</c>) or answer a chosen status (<c>?status=500</c>).
/// </summary>
internal sealed class DemoBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile bool _healthy = true;
    private TimeSpan _delay;

    private DemoBackend(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }

    public string BoundAddress { get; private set; } = "";

    public static async Task<DemoBackend> StartAsync(string name, IPEndPoint endpoint, ILoggerFactory logs, CancellationToken cancellationToken)
    {
        var builder = WebAppFactory.CreateBuilder(logs, TimeSpan.FromSeconds(1));
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        var app = builder.Build();
        var backend = new DemoBackend(name, app);
        app.MapGet("/healthz", () => backend._healthy ? Results.Text("ok\n") : Results.Text("unhealthy\n", statusCode: 503));
        app.MapPost("/demo/unhealthy", () => Toggle(backend, healthy: false));
        app.MapPost("/demo/healthy", () => Toggle(backend, healthy: true));
        app.MapPost("/demo/slow", (HttpRequest request) =>
        {
            backend._delay = ParseDelay(request.Query["delay"]) ?? TimeSpan.Zero;
            return Results.Text($"{name} now answers after {backend._delay.TotalMilliseconds} ms\n");
        });
        app.Map("/{**path}", backend.Answer);
        await app.StartAsync(cancellationToken);
        backend.BoundAddress = WebAppFactory.BoundAddress(app, endpoint);
        return backend;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static IResult Toggle(DemoBackend backend, bool healthy)
    {
        backend._healthy = healthy;
        return Results.Text($"{backend.Name} health check now {(healthy ? "passes" : "fails")}\n");
    }

    private static TimeSpan? ParseDelay(string? text) =>
        text is null ? null
        : text.EndsWith("ms", StringComparison.Ordinal) && double.TryParse(text[..^2], System.Globalization.CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(Math.Clamp(ms, 0, 60_000))
        : text.EndsWith('s') && double.TryParse(text[..^1], System.Globalization.CultureInfo.InvariantCulture, out var s) ? TimeSpan.FromSeconds(Math.Clamp(s, 0, 60))
        : null;

    private async Task Answer(HttpContext context)
    {
        var delay = ParseDelay(context.Request.Query["delay"]) ?? _delay;
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, context.RequestAborted);
        }

        if (int.TryParse(context.Request.Query["status"], out var status) && status is >= 200 and <= 599)
        {
            context.Response.StatusCode = status;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Backend"] = Name;
        // Who connected: behind several balancers (a pair, an ECMP tier) it says which one proxied the request.
        context.Response.Headers["X-Peer-Address"] = context.Connection.RemoteIpAddress?.ToString();
        await context.Response.WriteAsync($"Hello from {Name} ({BoundAddress}) {context.Request.Method} {context.Request.Path}{context.Request.QueryString}\n", context.RequestAborted);
    }
}

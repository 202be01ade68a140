using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Balancer.Tests.Common;

/// <summary>
/// A real Kestrel backend on 127.0.0.1:0. Answers with its name in <c>X-Backend</c>; <c>/echo</c>
/// returns the request body, <c>/sha256</c> its hash, <c>/bytes?n=</c> n bytes, <c>/headers</c> the
/// request headers, <c>/slow?ms=</c> after a delay, <c>/ws</c> is a WebSocket echo.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private TestBackend(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }

    public Uri Address { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests that reached the backend and have not finished yet.</summary>
    public int InFlight;

    /// <summary>How long <c>/work</c> takes to answer (to make one backend slower than others).</summary>
    public TimeSpan WorkDelay { get; set; }

    /// <summary>Status <c>/healthz</c> answers with.</summary>
    public int HealthStatus { get; set; } = 200;

    /// <summary>Body <c>/healthz</c> answers with.</summary>
    public string HealthBody { get; set; } = "ok";

    /// <summary>Probes received on <c>/healthz</c>.</summary>
    public int HealthChecks => Volatile.Read(ref _healthChecks);

    private int _healthChecks;

    /// <summary>
    /// Starts a backend; with <paramref name="certificate"/> it serves https, and with <paramref name="clientAuthority"/>
    /// it also requires a client certificate issued by that CA and names its subject in <c>X-Client-Certificate</c>.
    /// </summary>
    public static async Task<TestBackend> StartAsync(string name, int port = 0, X509Certificate2? certificate = null, X509Certificate2? clientAuthority = null)
    {
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, listen =>
        {
            // Takes whatever the balancer passes on: its own limits are what tests examine.
            k.Limits.MaxRequestHeaderCount = 10_000;
            if (certificate is not null)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = certificate;
                    if (clientAuthority is not null)
                    {
                        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (client, _, _) => TestCertificates.ChainsTo(client, clientAuthority);
                    }
                });
            }
        }));
        var app = builder.Build();
        var backend = new TestBackend(name, app);
        app.UseWebSockets();
        app.MapGet("/work", async context =>
        {
            await Task.Delay(backend.WorkDelay, context.RequestAborted);
            await context.Response.WriteAsync(name);
        });
        app.MapGet("/healthz", (HttpContext context) =>
        {
            Interlocked.Increment(ref backend._healthChecks);
            return Results.Text(backend.HealthBody, statusCode: backend.HealthStatus);
        });
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref backend._requests);
            Interlocked.Increment(ref backend.InFlight);
            context.Response.Headers["X-Backend"] = name;
            if (context.Connection.ClientCertificate is { } client)
            {
                context.Response.Headers["X-Client-Certificate"] = client.Subject;
            }

            try
            {
                await next(context);
            }
            finally
            {
                Interlocked.Decrement(ref backend.InFlight);
            }
        });
        app.MapPost("/echo", async context =>
        {
            context.Response.ContentType = context.Request.ContentType ?? "application/octet-stream";
            await context.Request.Body.CopyToAsync(context.Response.Body);
        });
        app.MapPost("/sha256", async context =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                sha.AppendData(buffer, 0, read);
                total += read;
            }

            await context.Response.WriteAsync($"{total} {Convert.ToHexStringLower(sha.GetHashAndReset())}");
        });
        app.MapGet("/bytes", async context =>
        {
            var n = int.Parse(context.Request.Query["n"]!, System.Globalization.CultureInfo.InvariantCulture);
            var data = new byte[n];
            new Random(n).NextBytes(data);
            context.Response.ContentLength = n;
            await context.Response.Body.WriteAsync(data);
        });
        app.MapGet("/headers", (HttpRequest request) =>
            Results.Json(request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        app.MapGet("/slow", async context =>
        {
            var ms = int.Parse(context.Request.Query["ms"]!, System.Globalization.CultureInfo.InvariantCulture);
            await Task.Delay(ms, context.RequestAborted);
            await context.Response.WriteAsync($"slow {name}");
        });
        app.Map("/ws", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = 400;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, context.RequestAborted);
            }
        });
        app.Map("/{**path}", (HttpContext context) => Results.Text(
            $"{name} {context.Request.Path}",
            statusCode: int.TryParse(context.Request.Query["status"], out var status) ? status : 200));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        backend.Address = new Uri(address);
        return backend;
    }

    /// <summary>The backend's address as config writes it: <c>http://127.0.0.1:port</c>.</summary>
    public string ConfigAddress => $"{Address.Scheme}://127.0.0.1:{Address.Port}";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using System.Net;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Balancer.Tests.Grpc;

/// <summary>
/// A real gRPC server (Grpc.AspNetCore) on 127.0.0.1:0 speaking HTTP/2 only (h2c with prior knowledge, as gRPC
/// servers do): the <c>Echo</c> test service, <c>grpc.health.v1.Health</c>, <c>GET /plain</c> answering with its
/// name and the protocol the request came in on, and <c>/early.Service/Call</c>, which ends at once with
/// FAILED_PRECONDITION whatever the client is still sending.
/// </summary>
public sealed class GrpcTestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcTestBackend(string name, WebApplication app, HealthServiceImpl health, EchoService echo)
    {
        Name = name;
        _app = app;
        Health = health;
        Echo = echo;
    }

    public string Name { get; }

    /// <summary>The health service: <c>SetStatus("", NOT_SERVING)</c> makes the server as a whole sick.</summary>
    public HealthServiceImpl Health { get; }

    /// <summary>The Echo service: what it saw, and how it misbehaves.</summary>
    public EchoService Echo { get; }

    /// <summary>The backend's address as config writes it: <c>http://127.0.0.1:port</c>.</summary>
    public string ConfigAddress { get; private set; } = "";

    public static async Task<GrpcTestBackend> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        var health = new HealthServiceImpl();
        health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        health.SetStatus("balancer.test.Echo", HealthCheckResponse.Types.ServingStatus.Serving);
        var echo = new EchoService(name);
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(health);
        builder.Services.AddSingleton(echo);
        var app = builder.Build();
        app.MapGrpcService<EchoService>();
        app.MapGrpcService<HealthServiceImpl>();
        app.MapGet("/plain", (HttpRequest request) => $"plain {name} {request.Protocol}");
        // A call answered at once, before its request stream is read: Kestrel then resets the rest (RFC 9113 §8.1).
        app.MapPost("/early.Service/Call", (HttpContext context) =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "9";
            context.Response.Headers["grpc-message"] = "early";
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new GrpcTestBackend(name, app, health, echo) { ConfigAddress = $"http://127.0.0.1:{address.Port}" };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

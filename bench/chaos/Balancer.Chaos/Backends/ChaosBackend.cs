using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Balancer.Chaos.Backends;

/// <summary>
/// One backend process of the chaos run (<c>balancer-chaos backend --port P --counters FILE --name N</c>). It answers
/// every proxied request with its name in <c>X-Backend</c>; a POST with the length and hash of the body it read; it
/// counts what arrives into <see cref="SharedCounters"/>. The driver steers it on <c>/_chaos/…</c>, calls that are
/// never counted: <c>health?pass=0|1</c> (its <c>/healthz</c> fails or passes), <c>slow?ms=N</c> (every answer, probes
/// included, waits N ms), <c>reset</c> (aborts every open connection but the caller's, as a crashing worker would).
/// </summary>
internal static class ChaosBackend
{
    public static async Task<int> RunAsync(int port, string countersPath, string name)
    {
        using var counters = SharedCounters.Open(countersPath);
        counters.Increment(SharedCounters.Slot.Starts);
        var connections = new ConcurrentDictionary<string, ConnectionContext>();
        var healthy = true;
        var delay = TimeSpan.Zero;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, port, listen => listen.Use(next => async connection =>
            {
                connections[connection.ConnectionId] = connection;
                try
                {
                    await next(connection);
                }
                finally
                {
                    connections.TryRemove(connection.ConnectionId, out _);
                }
            }));
        });
        await using var app = builder.Build();

        app.MapGet("/_chaos/ping", () => $"{name}\n");
        app.MapGet("/_chaos/health", (HttpContext c) => { healthy = c.Request.Query["pass"] != "0"; return $"{name} health {(healthy ? "passes" : "fails")}\n"; });
        app.MapGet("/_chaos/slow", (HttpContext c) => { delay = TimeSpan.FromMilliseconds(int.Parse(c.Request.Query["ms"]!, CultureInfo.InvariantCulture)); return $"{name} slow {delay.TotalMilliseconds} ms\n"; });
        app.MapGet("/_chaos/reset", (HttpContext c) =>
        {
            var own = c.Features.Get<IConnectionIdFeature>()?.ConnectionId ?? c.Connection.Id;
            var aborted = 0;
            foreach (var (id, connection) in connections)
            {
                if (id != own)
                {
                    connection.Abort(new ConnectionAbortedException("chaos: reset"));
                    aborted++;
                }
            }

            return $"{name} reset {aborted} connections\n";
        });
        app.MapGet("/healthz", async (HttpContext c) =>
        {
            await Task.Delay(delay);
            var pass = healthy;
            counters.RecordProbe(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), pass);
            c.Response.StatusCode = pass ? 200 : 503;
            await c.Response.WriteAsync(pass ? "ok\n" : "unhealthy\n");
        });
        app.Map("/{**path}", async (HttpContext c) =>
        {
            counters.Increment(SharedCounters.Slot.Requests);
            var post = HttpMethods.IsPost(c.Request.Method);
            counters.Increment(post ? SharedCounters.Slot.Posts : SharedCounters.Slot.Gets);
            c.Response.Headers["X-Backend"] = name;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, c.RequestAborted);
            }

            if (!post)
            {
                await c.Response.WriteAsync($"{name} {c.Request.Path}\n", c.RequestAborted);
                return;
            }

            var (length, hash) = await Digest(c.Request.Body, c.RequestAborted);
            if (c.Request.Headers["X-Body-Hash"] != hash || c.Request.ContentLength != length)
            {
                counters.Increment(SharedCounters.Slot.BodyMismatches);
            }

            await c.Response.WriteAsync($"{length} {hash}", c.RequestAborted);
        });

        await app.StartAsync();
        Console.WriteLine($"{name} ready on 127.0.0.1:{port}");
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        await stop.Task;
        await app.StopAsync();
        return 0;
    }

    /// <summary>Length and the first 16 hex digits of its SHA-256 of a body, as the load generator computes them for what it sends.</summary>
    public static async Task<(long Length, string Hash)> Digest(Stream body, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[16 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return (total, Convert.ToHexStringLower(hash.GetHashAndReset())[..16]);
    }
}

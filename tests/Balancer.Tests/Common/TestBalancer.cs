using Balancer.Core.Configuration;
using Balancer.Hosting;
using Microsoft.Extensions.Logging;

namespace Balancer.Tests.Common;

/// <summary>A real Balancer started in-process from a config file written to a temp folder, listening on 127.0.0.1:0.</summary>
public sealed class TestBalancer : IAsyncDisposable
{
    private readonly ILoggerFactory _logs;
    private readonly string? _dir;

    private TestBalancer(BalancerServer server, ILoggerFactory logs, string? dir, string configPath)
    {
        Server = server;
        _logs = logs;
        _dir = dir;
        ConfigPath = configPath;
    }

    internal BalancerServer Server { get; }

    public string ConfigPath { get; }

    /// <summary>The first listener's base address.</summary>
    public Uri ProxyAddress => new($"http://{Server.State.BoundListeners.Values.First()}");

    public Uri AdminAddress => new($"http://{Server.AdminAddress}");

    /// <summary>Starts a balancer whose config is <paramref name="json"/>.</summary>
    public static async Task<TestBalancer> StartAsync(
        string json, TimeSpan? drainTimeout = null, bool watch = true, LogSink? logSink = null, LogLevel logLevel = LogLevel.Warning, Func<BalancerConfig, Task>? beforeReload = null)
    {
        var dir = Directory.CreateTempSubdirectory("balancer-test-").FullName;
        var path = Path.Combine(dir, "balancer.json");
        await File.WriteAllTextAsync(path, json);
        return await StartAtAsync(path, drainTimeout, watch, dir, logSink, logLevel, beforeReload);
    }

    /// <summary>Starts a balancer on an existing config file (the caller owns its folder unless <paramref name="ownedDir"/>).</summary>
    public static async Task<TestBalancer> StartAtAsync(
        string path, TimeSpan? drainTimeout = null, bool watch = true, string? ownedDir = null, LogSink? logSink = null, LogLevel logLevel = LogLevel.Warning,
        Func<BalancerConfig, Task>? beforeReload = null)
    {
        var logs = LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(logLevel);
            if (logSink is not null)
            {
                b.AddProvider(logSink);
            }
        });
        var server = await BalancerServer.StartAsync(path, logs, TimeProvider.System, CancellationToken.None, drainTimeout ?? TimeSpan.FromSeconds(5), watch, beforeReload);
        return new TestBalancer(server, logs, ownedDir, path);
    }

    /// <summary>Reloads applied since start.</summary>
    public int Reloads => Server.State.ReloadsApplied;

    /// <summary>Reloads finished since start: wait on this, not <see cref="Reloads"/> (which moves before the new pools route), before testing a reload's effect.</summary>
    public int ReloadsFinished => Server.State.ReloadsFinished;

    /// <summary>A config with one HTTP listener and one pool named <c>web</c> over <paramref name="backends"/>.</summary>
    public static string SinglePoolConfig(string algorithm, params (string Address, int Weight)[] backends) => PoolConfig(algorithm, "", backends);

    /// <summary>Like <see cref="SinglePoolConfig"/>, with <paramref name="poolFields"/> (e.g. a health block) added to the pool.</summary>
    public static string PoolConfig(string algorithm, string poolFields, params (string Address, int Weight)[] backends) => $$"""
        {
          "listeners": { "web": { "protocol": "http", "bind": "127.0.0.1:0",
                                  "routes": [ { "path": "/{**rest}", "pool": "web" } ] } },
          "pools": { "web": { "algorithm": "{{algorithm}}", {{poolFields}}
                              "backends": [ {{string.Join(", ", backends.Select(b => $$"""{ "address": "{{b.Address}}", "weight": {{b.Weight}} }"""))}} ] } },
          "admin": { "bind": "127.0.0.1:0" }
        }
        """;

    /// <summary>
    /// A config with one tcp listener <c>db</c> on 127.0.0.1:0 and one pool <c>db</c> over <paramref name="backends"/>;
    /// <paramref name="listenerFields"/> and <paramref name="poolFields"/> (each ending with a comma) are added as given.
    /// </summary>
    public static string TcpConfig(string algorithm, string listenerFields, string poolFields, params string[] backends) => $$"""
        {
          "listeners": { "db": { "protocol": "tcp", "bind": "127.0.0.1:0", {{listenerFields}} "pool": "db" } },
          "pools": { "db": { "algorithm": "{{algorithm}}", {{poolFields}}
                             "backends": [ {{string.Join(", ", backends.Select(b => $$"""{ "address": "{{b}}" }"""))}} ] } },
          "admin": { "bind": "127.0.0.1:0" }
        }
        """;

    /// <summary><paramref name="json"/> (one of the configs above) with more fields in its admin block, e.g. <c>"auditLog": "audit.log"</c>.</summary>
    public static string WithAdmin(string json, string fields) =>
        json.Replace("\"admin\": { \"bind\": \"127.0.0.1:0\" }", $"\"admin\": {{ \"bind\": \"127.0.0.1:0\", {fields} }}", StringComparison.Ordinal);

    /// <summary>The first listener's bound <c>ip:port</c>.</summary>
    public string ListenerAddress => Server.State.BoundListeners.Values.First();

    /// <summary>The /status entry of one backend.</summary>
    public async Task<System.Text.Json.JsonElement> BackendStatusAsync(string pool, string address)
    {
        using var admin = new HttpClient { BaseAddress = AdminAddress };
        using var status = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync("/status"));
        return status.RootElement.GetProperty("pools").GetProperty(pool).GetProperty("backends").EnumerateArray()
            .Single(b => b.GetProperty("address").GetString() == address).Clone();
    }

    /// <summary>True when /status says the backend is healthy.</summary>
    public async Task<bool> IsHealthyAsync(string address, string pool = "web") =>
        (await BackendStatusAsync(pool, address)).GetProperty("healthy").GetBoolean();

    public HttpClient CreateClient() => new() { BaseAddress = ProxyAddress, Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync();
        await Server.DisposeAsync();
        _logs.Dispose();
        if (_dir is not null)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}

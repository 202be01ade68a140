using System.Net;
using System.Text.Json;
using Balancer.Reload;
using Balancer.Tests.Common;

namespace Balancer.Tests.Http;

/// <summary>
/// Which forwarder carries a request, as users see it: <c>listeners.NAME.forwarder</c> changed by a reload and shown
/// in /status, tracing that no longer switches forwarders, and the client's Host reaching the backend on both.
/// The access log's <c>forwarder</c> field says which one carried each request.
/// </summary>
public sealed class ForwarderChoiceTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("balancer-forwarder-").FullName;
    private readonly RecorderBackend _backend = RecorderBackend.Start();

    private string AccessLog => Path.Combine(_directory, "access.log");

    [Fact]
    public async Task Forwarder_ChangedByReload_AppliedLiveAndShownInStatus()
    {
        await using var balancer = await TestBalancer.StartAsync(Config("auto"), watch: false);
        using var client = balancer.CreateClient();
        (await client.GetAsync("/before")).EnsureSuccessStatusCode();
        Assert.Equal("auto", await StatusForwarderAsync(balancer));

        await File.WriteAllTextAsync(balancer.ConfigPath, Config("yarp"));
        var reload = await balancer.Server.ReloadAsync(ReloadTrigger.AdminApi);
        (await client.GetAsync("/after")).EnsureSuccessStatusCode();

        Assert.True(reload.Applied, string.Join("; ", reload.Errors));
        Assert.Contains(reload.Changes, c => c.ToString() == "~listener web (forwarder auto → yarp)");
        Assert.Equal("yarp", await StatusForwarderAsync(balancer));
        await Wait.Until(() => Forwarders().Count == 2, TimeSpan.FromSeconds(10), "two access log lines");
        Assert.Equal([("/before", "lean"), ("/after", "yarp")], Forwarders());
    }

    [Fact]
    public async Task Tracing_On_LeanForwarderStillCarriesAndSendsBalancersSpan()
    {
        // An OTLP endpoint that answers 200 to whatever is exported: sampling, not the export, is under test.
        await using var collector = RecorderBackend.Start();
        var telemetry = $$"""{ "otlpEndpoint": "{{collector.ConfigAddress}}", "sampleRatio": 1, "accessLog": "{{AccessLog}}" }""";
        await using var balancer = await TestBalancer.StartAsync(Config("auto", telemetry), watch: false);
        using var client = balancer.CreateClient();
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/traced");
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");
        request.Headers.Add("tracestate", "congo=t61rcWkgMzE");

        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        var received = Assert.Single(_backend.Requests);
        var traceparent = Assert.Single(received.Values("traceparent"));
        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-01$", traceparent);
        Assert.NotEqual($"00-{traceId}-00f067aa0ba902b7-01", traceparent); // Balancer's span is the parent now
        Assert.Equal("congo=t61rcWkgMzE", Assert.Single(received.Values("tracestate")));
        await Wait.Until(() => Forwarders().Count == 1, TimeSpan.FromSeconds(10), "the access log line");
        Assert.Equal([("/traced", "lean")], Forwarders());
    }

    [Theory]
    [InlineData("auto", "1.1", "lean")]
    [InlineData("yarp", "1.1", "yarp")]
    [InlineData("auto", "2.0", "yarp")] // an HTTP/2 client (h2c prior knowledge) always goes through YARP
    public async Task Host_ClientsHostReachesTheBackend(string forwarder, string version, string carried)
    {
        await using var balancer = await TestBalancer.StartAsync(Config(forwarder), watch: false);
        using var client = new HttpClient { BaseAddress = balancer.ProxyAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/host") { Version = Version.Parse(version), VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Host = "shop.example:8443";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_backend.Requests);
        Assert.Equal("shop.example:8443", Assert.Single(received.Values("Host")));
        Assert.Equal("shop.example:8443", Assert.Single(received.Values("X-Forwarded-Host")));
        await Wait.Until(() => Forwarders().Count == 1, TimeSpan.FromSeconds(10), "the access log line");
        Assert.Equal(carried, Forwarders()[0].Forwarder);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private string Config(string forwarder, string? telemetry = null) => $$"""
        {
          "listeners": { "web": { "bind": "127.0.0.1:0", "forwarder": "{{forwarder}}", "routes": [ { "pool": "web" } ] } },
          "pools": { "web": { "backends": [ { "address": "{{_backend.ConfigAddress}}" } ] } },
          "admin": { "bind": "127.0.0.1:0" },
          "telemetry": {{telemetry ?? $$"""{ "accessLog": "{{AccessLog}}" }"""}}
        }
        """;

    private static async Task<string?> StatusForwarderAsync(TestBalancer balancer)
    {
        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        using var status = JsonDocument.Parse(await admin.GetStringAsync("/status"));
        return status.RootElement.GetProperty("listeners").GetProperty("web").GetProperty("forwarder").GetString();
    }

    private List<(string Path, string Forwarder)> Forwarders()
    {
        if (!File.Exists(AccessLog))
        {
            return [];
        }

        using var log = new FileStream(AccessLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(log);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var entry = JsonDocument.Parse(line);
            return (entry.RootElement.GetProperty("path").GetString()!, entry.RootElement.GetProperty("forwarder").GetString()!);
        })];
    }
}

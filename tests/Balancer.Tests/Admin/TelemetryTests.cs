using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Balancer.Tests.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Balancer.Tests.Admin;

public sealed partial class TelemetryTests : ThreeBackends
{
    [Fact]
    public async Task Metrics_AfterTraffic_ValidPrometheusExposition()
    {
        var json = TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1), (Backends[1].ConfigAddress, 1))
            .Replace("\"admin\":", "\"telemetry\": { \"detailedMeters\": true }, \"admin\":", StringComparison.Ordinal);
        await using var balancer = await TestBalancer.StartAsync(json);
        using var client = balancer.CreateClient();
        for (var i = 0; i < 10; i++)
        {
            using var response503 = await client.GetAsync(i % 5 == 0 ? "/x?status=503" : "/");
        }

        using var admin = new HttpClient { BaseAddress = balancer.AdminAddress };
        using var response = await admin.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        // Every balancer in this test process shares the meter name: keep this test's backends only.
        var samples = ParseExposition(text).Where(s => !s.Name.StartsWith("balancer_", StringComparison.Ordinal) || s.Labels.Contains("127.0.0.1:" + Backends[0].Address.Port, StringComparison.Ordinal) || s.Labels.Contains("127.0.0.1:" + Backends[1].Address.Port, StringComparison.Ordinal)).ToList();

        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(10, samples.Where(s => s.Name == "balancer_requests_total").Sum(s => s.Value));
        Assert.Equal(10, samples.Where(s => s.Name == "balancer_request_duration_seconds_count").Sum(s => s.Value));
        Assert.Contains(samples, s => s.Name == "balancer_requests_total" && s.Labels.Contains($"backend=\"{Backends[0].ConfigAddress}\"", StringComparison.Ordinal) && s.Labels.Contains("status_class=\"2xx\"", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name == "balancer_requests_total" && s.Labels.Contains("status_class=\"5xx\"", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name == "balancer_backend_healthy" && s.Value == 1);
        Assert.Equal(10, samples.Where(s => s.Name == "balancer_backend_handled_total").Sum(s => s.Value));
        // Kestrel always; ASP.NET Core hosting and HttpClient with telemetry.detailedMeters.
        Assert.Contains(samples, s => s.Name.StartsWith("kestrel_", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name.StartsWith("http_client_", StringComparison.Ordinal));
        // Histogram buckets are cumulative and +Inf equals the count.
        var buckets = samples.Where(s => s.Name == "balancer_request_duration_seconds_bucket" && s.Labels.Contains(Backends[0].ConfigAddress, StringComparison.Ordinal)).Select(s => s.Value).ToList();
        Assert.Equal(buckets.Order(), buckets);
        Assert.Equal(buckets[^1], samples.Single(s => s.Name == "balancer_request_duration_seconds_count" && s.Labels.Contains(Backends[0].ConfigAddress, StringComparison.Ordinal)).Value);
    }

    [Fact]
    public async Task Traceparent_FromClient_ReachesBackendWithSameTraceId()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1)));
        using var client = balancer.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/headers");
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");

        using var response = await client.SendAsync(request);
        var headers = new Dictionary<string, string>(JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync())!, StringComparer.OrdinalIgnoreCase);

        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-0[01]$", headers["traceparent"]);
    }

    [Fact]
    public async Task Otlp_Configured_TracesExportedToReceiver()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var json = TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1))
            .Replace("\"admin\":", $"\"telemetry\": {{ \"otlpEndpoint\": \"{receiver.Address}\", \"serviceName\": \"balancer-under-test\" }}, \"admin\":", StringComparison.Ordinal);
        await using var balancer = await TestBalancer.StartAsync(json);
        using var client = balancer.CreateClient();
        (await client.GetAsync("/traced")).EnsureSuccessStatusCode();

        // The SDK's batch processor exports every 5 s by default.
        await Wait.Until(() => receiver.Bodies.ContainsKey("/v1/traces"), TimeSpan.FromSeconds(30), "OTLP traces export");

        var body = Encoding.UTF8.GetString(receiver.Bodies["/v1/traces"]);
        Assert.Equal("application/x-protobuf", receiver.ContentTypes["/v1/traces"]);
        Assert.Contains("balancer-under-test", body);
        Assert.Contains("balancer.backend", body);
        Assert.Contains(Backends[0].ConfigAddress, body);
    }

    [Fact]
    public async Task AccessLog_ToFile_OneJsonLinePerRequest()
    {
        var dir = Directory.CreateTempSubdirectory("balancer-access-").FullName;
        var log = Path.Combine(dir, "access.log");
        try
        {
            var json = TestBalancer.SinglePoolConfig("round-robin", (Backends[0].ConfigAddress, 1))
                .Replace("\"admin\":", $"\"telemetry\": {{ \"accessLog\": \"{log}\" }}, \"admin\":", StringComparison.Ordinal);
            await using (var balancer = await TestBalancer.StartAsync(json))
            {
                using var client = balancer.CreateClient();
                (await client.GetAsync("/one")).EnsureSuccessStatusCode();
                Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/two?status=404")).StatusCode);
            }

            var lines = await File.ReadAllLinesAsync(log);
            Assert.Equal(2, lines.Length);
            using var second = JsonDocument.Parse(lines[1]);
            var entry = second.RootElement;
            Assert.Equal("/two", entry.GetProperty("path").GetString());
            Assert.Equal(404, entry.GetProperty("status").GetInt32());
            Assert.Equal("web", entry.GetProperty("listener").GetString());
            Assert.Equal("web", entry.GetProperty("pool").GetString());
            Assert.Equal(Backends[0].ConfigAddress, entry.GetProperty("backend").GetString());
            Assert.Equal("127.0.0.1", entry.GetProperty("client").GetString());
            Assert.Equal(0, entry.GetProperty("retries").GetInt32());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Parses the text format strictly enough to catch broken output: TYPE before samples, valid names, numbers.</summary>
    private static List<(string Name, string Labels, double Value)> ParseExposition(string text)
    {
        var samples = new List<(string, string, double)>();
        var typed = new HashSet<string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Contains(parts[3], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                Assert.True(typed.Add(parts[2]), $"duplicate TYPE for {parts[2]}");
                continue;
            }

            if (line.StartsWith('#'))
            {
                Assert.StartsWith("# HELP ", line);
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a valid sample line: {line}");
            var name = match.Groups["name"].Value;
            Assert.Contains(typed, t => name == t || name.StartsWith(t + "_", StringComparison.Ordinal));
            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var v => double.Parse(v, CultureInfo.InvariantCulture),
            };
            samples.Add((name, match.Groups["labels"].Value, value));
        }

        return samples;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<labels>\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    /// <summary>A stand-in OTLP/HTTP collector: records the last body posted to each path.</summary>
    private sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private OtlpReceiver(WebApplication app) => _app = app;

        public ConcurrentDictionary<string, byte[]> Bodies { get; } = new();

        public ConcurrentDictionary<string, string> ContentTypes { get; } = new();

        public string Address { get; private set; } = "";

        public static async Task<OtlpReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false"]);
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var receiver = new OtlpReceiver(app);
            app.MapPost("/{**path}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                receiver.ContentTypes[context.Request.Path] = context.Request.ContentType ?? "";
                receiver.Bodies[context.Request.Path] = body.ToArray();
                return Results.Ok();
            });
            await app.StartAsync();
            receiver.Address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

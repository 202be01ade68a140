using System.Text;
using Balancer.Tests.Common;

namespace Balancer.Tests.Http.Differential;

/// <summary>
/// One Balancer with <see cref="LaneCount"/> lanes, each a pair of listeners over the same limits — one with
/// <c>"forwarder": "auto"</c> (the lean forwarder wherever it applies), one with <c>"forwarder": "yarp"</c> — each
/// in front of its own recorder backend, so that a case goes through both at once and lanes run cases side by side.
/// The corpus's limits (a 64 KiB body cap, a 2 s header timeout) keep its over-limit cases quick.
/// </summary>
public sealed class DifferentialFixture : IAsyncLifetime
{
    public const int LaneCount = 6;

    private readonly List<RecorderBackend> _recorders = [];
    private readonly string _directory = Directory.CreateTempSubdirectory("balancer-differential-").FullName;

    internal IReadOnlyList<Lane> Lanes { get; private set; } = [];

    internal TestBalancer Balancer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var listeners = new StringBuilder();
        var pools = new StringBuilder();
        for (var i = 0; i < LaneCount; i++)
        {
            foreach (var forwarder in new[] { "auto", "yarp" })
            {
                var recorder = RecorderBackend.Start(ScriptedResponses.Respond);
                _recorders.Add(recorder);
                var name = $"{forwarder}{i}";
                listeners.Append($$"""
                    "{{name}}": { "bind": "127.0.0.1:0", "forwarder": "{{forwarder}}", "routes": [ {{TransformRoutes(name)}} { "pool": "{{name}}" } ],
                                  "limits": { "maxRequestBodySize": 65536, "requestHeadersTimeout": "2s" } },
                    """);
                pools.Append($$"""
                    "{{name}}": { "backends": [ { "address": "{{recorder.ConfigAddress}}" } ] },
                    """);
            }
        }

        Balancer = await TestBalancer.StartAsync($$"""
            { "listeners": { {{listeners}} }, "pools": { {{pools}} }, "admin": { "bind": "127.0.0.1:0" },
              "telemetry": { "accessLog": "{{AccessLog}}" } }
            """);
        var bound = Balancer.Server.State.BoundListeners;
        Lanes = [.. Enumerable.Range(0, LaneCount).Select(i => new Lane(
            new Side(bound[$"auto{i}"], _recorders[2 * i]), new Side(bound[$"yarp{i}"], _recorders[(2 * i) + 1])))];
    }

    public async Task DisposeAsync()
    {
        await Balancer.DisposeAsync();
        foreach (var recorder in _recorders)
        {
            await recorder.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>
    /// Routes under <c>/t/</c> and <c>/p/{id}/</c> that rewrite path, Host and headers both ways (issue #22's transforms):
    /// ordinary requests sent there check that both forwarders apply them alike.
    /// </summary>
    private static string TransformRoutes(string pool) => $$"""
        { "path": "/t/{**rest}", "pool": "{{pool}}", "transforms": { "stripPrefix": "/t", "addPrefix": "/v2", "host": "backend.internal:8080",
            "requestHeaders": { "set": { "X-Env": "prod", "User-Agent": "balancer-test" }, "append": { "X-Forwarded-Proto": "https", "Accept": "text/x-extra" }, "remove": ["Cookie", "X-Debug"] },
            "responseHeaders": { "set": { "X-Frame-Options": "DENY" }, "append": { "Cache-Control": "private" }, "remove": ["Set-Cookie"], "removeServer": true } } },
        { "path": "/p/{id}/{**rest}", "pool": "{{pool}}", "transforms": { "pathPattern": "/items/{id}/x/{**rest}",
            "requestHeaders": { "append": { "Via": "1.1 balancer" } }, "responseHeaders": { "set": { "Server": "balancer" } } } },
        """;

    /// <summary>Requests the access log says the lean forwarder carried so far.</summary>
    internal int LeanRequests()
    {
        using var log = new FileStream(AccessLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(log);
        return reader.ReadToEnd().Split('\n').Count(l => l.Contains("\"forwarder\":\"lean\"", StringComparison.Ordinal));
    }

    private string AccessLog => Path.Combine(_directory, "access.log");

    /// <summary>A listener and the recorder behind it.</summary>
    internal sealed record Side(string Listener, RecorderBackend Recorder);

    /// <summary>The lean-where-it-applies side and the YARP side of one lane.</summary>
    internal sealed record Lane(Side Auto, Side Yarp);
}

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
                    "{{name}}": { "bind": "127.0.0.1:0", "forwarder": "{{forwarder}}", "routes": [ { "pool": "{{name}}" } ],
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

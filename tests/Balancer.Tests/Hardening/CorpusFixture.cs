using Balancer.Tests.Common;

namespace Balancer.Tests.Hardening;

/// <summary>A recorder backend behind a real Balancer whose listener trusts no proxy, shared by the corpus cases.</summary>
public sealed class CorpusFixture : IAsyncLifetime
{
    public RecorderBackend Recorder { get; } = RecorderBackend.Start();

    public TestBalancer Balancer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Small limits keep the over-limit cases quick: a 64 KiB body cap, a 2 s header timeout.
        Balancer = await TestBalancer.StartAsync($$"""
            {
              "listeners": { "web": { "bind": "127.0.0.1:0", "routes": [ { "pool": "web" } ],
                                      "limits": { "maxRequestBodySize": 65536, "requestHeadersTimeout": "2s" } } },
              "pools": { "web": { "backends": [ { "address": "{{Recorder.ConfigAddress}}" } ] } },
              "admin": { "bind": "127.0.0.1:0" }
            }
            """);
    }

    public async Task DisposeAsync()
    {
        await Balancer.DisposeAsync();
        await Recorder.DisposeAsync();
    }
}

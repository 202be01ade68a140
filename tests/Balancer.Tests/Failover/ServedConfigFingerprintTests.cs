using System.Text.Json;
using Balancer.Core.Configuration;
using Balancer.Core.Failover;
using Balancer.Hosting;

namespace Balancer.Tests.Failover;

/// <summary>
/// The config hash in adverts is compared between the two nodes of a pair, which may run different builds during a
/// rolling upgrade: the source-generated serialization (Native AOT) must hash exactly what the reflection-based
/// serializer of earlier builds hashed.
/// </summary>
public sealed class ServedConfigFingerprintTests
{
    [Fact]
    public void Of_SourceGenerated_HashesWhatTheReflectionSerializerHashed()
    {
        var demo = Path.Combine(AppContext.BaseDirectory, "config", "demo.json");
        var config = ConfigLoader.Parse(File.ReadAllText(demo), "demo.json").Config!;
#pragma warning disable IL2026, IL3050 // the reflection serializer of earlier builds, on purpose
        var reflected = ConfigFingerprint.Compute(JsonSerializer.SerializeToUtf8Bytes(new { config.Listeners, config.Pools }));
#pragma warning restore IL2026, IL3050

        Assert.NotEmpty(config.Listeners);
        Assert.Equal(reflected, ServedConfigFingerprint.Of(config));
    }
}

using System.Text.Json.Serialization;

namespace Balancer.Core.Configuration;

/// <summary>
/// Source-generated JSON metadata for the config records, so that the config diff of a reload and the served-config
/// fingerprint serialize them without reflection: the same code runs under Native AOT (docs/benchmarks.md).
/// <c>partial</c> because the generator writes the other half; nothing else is split.
/// </summary>
[JsonSerializable(typeof(BalancerConfig))]
[JsonSerializable(typeof(RouteConfig[]))]
[JsonSerializable(typeof(ServedConfig))]
public sealed partial class ConfigJsonContext : JsonSerializerContext;

/// <summary>What both nodes of a pair must serve alike, as the failover config hash covers it.</summary>
public sealed record ServedConfig(IReadOnlyDictionary<string, ListenerConfig> Listeners, IReadOnlyDictionary<string, PoolConfig> Pools);

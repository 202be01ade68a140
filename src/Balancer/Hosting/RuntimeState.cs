using Balancer.Core.Configuration;

namespace Balancer.Hosting;

/// <summary>What the process is running now and what happened to the last config load, for /status.</summary>
internal sealed class RuntimeState(string configPath, TimeProvider time)
{
    public string ConfigPath { get; } = configPath;

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public BalancerConfig Config { get; private set; } = new();

    public string ConfigHash { get; private set; } = "";

    public DateTimeOffset? LoadedAt { get; private set; }

    /// <summary>Null when the last load succeeded, else its errors, one per line.</summary>
    public string? LastError { get; private set; }

    public DateTimeOffset? LastErrorAt { get; private set; }

    /// <summary>Listener name → address actually bound.</summary>
    public Dictionary<string, string> BoundListeners { get; } = new(StringComparer.Ordinal);

    public void Loaded(BalancerConfig config, string hash, DateTimeOffset at)
    {
        Config = config;
        ConfigHash = hash;
        LoadedAt = at;
        LastError = null;
        LastErrorAt = null;
    }

    public void Rejected(string error, DateTimeOffset at)
    {
        LastError = error;
        LastErrorAt = at;
    }
}

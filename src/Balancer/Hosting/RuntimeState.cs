using Balancer.Admin.Timeline;
using Balancer.Core.Configuration;
using Balancer.Core.History;
using Balancer.Reload;

namespace Balancer.Hosting;

/// <summary>What the process is running now and what happened to the last config load, for /status.</summary>
internal sealed class RuntimeState(string configPath, TimeProvider time)
{
    public string ConfigPath { get; } = configPath;

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();

    public BalancerConfig Config { get; private set; } = new();

    public string ConfigHash { get; private set; } = "";

    /// <summary>The text of the config file as last applied.</summary>
    public string ConfigText { get; private set; } = "{}";

    public DateTimeOffset? LoadedAt { get; private set; }

    /// <summary>Null when the last load succeeded, else its errors, one per line.</summary>
    public string? LastError { get; private set; }

    public DateTimeOffset? LastErrorAt { get; private set; }

    /// <summary>Where every event source reports: the dashboard's timeline and the audit log.</summary>
    public EventTimeline Timeline { get; } = new(time);

    /// <summary>The last 15 minutes of traffic, sampled every second, for the dashboard.</summary>
    public TrafficHistory History { get; } = new();

    /// <summary>The last config file a reload rejected, with its text; null when none was since start.</summary>
    public RejectedConfig? LastRejected { get; private set; }

    /// <summary>The running failover node, or null when the config has no failover block.</summary>
    public Balancer.Failover.FailoverService? Failover { get; set; }

    /// <summary>The running announcement, or null when the config has no announce block.</summary>
    public Balancer.Announce.AnnounceService? Announce { get; set; }

    /// <summary>Listener name → address actually bound.</summary>
    public Dictionary<string, string> BoundListeners { get; } = new(StringComparer.Ordinal);

    /// <summary>The certificates the https listeners serve now.</summary>
    public Balancer.Tls.CertificateRegistry Certificates { get; } = new();

    /// <summary>The rate limit tables of every route, applied with each config.</summary>
    public Balancer.Core.RateLimiting.RateLimitRegistry RateLimits { get; } = new(time);

    /// <summary>What each HTTP route did: requests matched, split shares, mirrored copies.</summary>
    public Balancer.Core.Routing.RouteStatsRegistry RouteStats { get; } = new();

    /// <summary>Reloads applied since start (the first load not counted).</summary>
    public int ReloadsApplied => Volatile.Read(ref _reloadsApplied);

    /// <summary>Reloads rejected since start.</summary>
    public int ReloadsRejected => Volatile.Read(ref _reloadsRejected);

    /// <summary>
    /// Applied reloads that have also finished: their pools, routes, listeners, failover and announce settings all in
    /// place. <see cref="ReloadsApplied"/> moves first, before the new pools route, so /status never lags what routes;
    /// this one says when the whole of a reload is in effect (what a caller that edits the file then tests waits for).
    /// </summary>
    public int ReloadsFinished => Volatile.Read(ref _reloadsFinished);

    private int _reloadsApplied;
    private int _reloadsRejected;
    private int _reloadsFinished;

    /// <summary>The reload counted by <see cref="Loaded"/> has finished applying (or failed part-way and said so).</summary>
    public void Finished() => Interlocked.Increment(ref _reloadsFinished);

    public void Loaded(BalancerConfig config, string hash, string text, DateTimeOffset at)
    {
        if (LoadedAt is not null)
        {
            Interlocked.Increment(ref _reloadsApplied);
        }

        ConfigText = text;
        Config = config;
        ConfigHash = hash;
        LoadedAt = at;
        LastError = null;
        LastErrorAt = null;
    }

    /// <summary>Forgets the last error once what caused it is fixed without a config load (a renewed certificate).</summary>
    public void ClearError()
    {
        LastError = null;
        LastErrorAt = null;
    }

    /// <summary>A reload was refused; <paramref name="file"/> is the config file refused, when the problem was in it.</summary>
    public void Rejected(string error, DateTimeOffset at, RejectedConfig? file = null)
    {
        Interlocked.Increment(ref _reloadsRejected);
        Failed(error, at);
        if (file is not null)
        {
            LastRejected = file;
        }
    }

    /// <summary>An error of a load already counted as applied (a listener that could not bind after its pools took over).</summary>
    public void Failed(string error, DateTimeOffset at)
    {
        LastError = error;
        LastErrorAt = at;
    }
}

namespace Balancer.Core.Configuration;

/// <summary>The outcome of loading a config file: the config when valid, and every error and warning found.</summary>
public sealed record ConfigLoadResult
{
    /// <summary>The bound config; null unless <see cref="IsValid"/> (warnings allowed).</summary>
    public BalancerConfig? Config { get; init; }

    /// <summary>Every error and warning, in file order.</summary>
    public IReadOnlyList<ConfigError> Errors { get; init; } = [];

    /// <summary>Lowercase hex SHA-256 of the file's bytes; empty when the file could not be read.</summary>
    public string Hash { get; init; } = "";

    /// <summary>The file's text as loaded (UTF-8), for <c>GET /config</c> and <c>balancer check --diff</c>.</summary>
    public string Text { get; init; } = "";

    /// <summary>The file name errors are reported against.</summary>
    public string FileName { get; init; } = "";

    /// <summary>Directory that relative file names in the config (keyFile, tokenFile) are resolved against.</summary>
    public string BaseDirectory { get; init; } = "";

    /// <summary>True when no entry of <see cref="Errors"/> is an error.</summary>
    public bool IsValid => Config is not null && !Errors.Any(e => e.IsError);

    /// <summary>Resolves a file name from the config (e.g. <c>failover.keyFile</c>) the way the loader checked it.</summary>
    public string ResolveFile(string path) => System.IO.Path.GetFullPath(path, BaseDirectory);
}

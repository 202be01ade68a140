using Balancer.Core.Failover;
using Balancer.Hosting;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>Reads <c>failover.keyFile</c> at startup: one clear line when it is unusable, a warning when every user can read it (the config check refuses that first).</summary>
internal static class FailoverKeyFile
{
    /// <exception cref="StartupException">The file cannot be read or does not hold a key.</exception>
    public static FailoverKeyRing Read(string path, ILogger logger)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new StartupException($"failover.keyFile: cannot read {path}: {e.Message}");
        }

        if (!FailoverKey.TryParse(text, out var ring, out var error))
        {
            throw new StartupException($"failover.keyFile: {path}: {error}");
        }

        if (Core.Configuration.SecretFilePermissions.Insecure(path) is not null)
        {
            Log.FailoverKeyWorldReadable(logger, path);
        }

        return ring;
    }
}

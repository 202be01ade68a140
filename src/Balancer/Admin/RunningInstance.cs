using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Balancer.Admin;

/// <summary>
/// Where a running balancer's admin API is, published in its runtime directory (systemd's
/// <c>RuntimeDirectory=balancer</c>, i.e. <c>$RUNTIME_DIRECTORY</c> = <c>/run/balancer</c>), so that
/// <c>balancer check --diff</c> compares with what runs even when the checked file moves <c>admin.bind</c> or
/// names another token file. The file holds addresses and paths, never the token.
/// </summary>
internal sealed record RunningInstance(string Admin, string? TokenFile, string Config, int Pid)
{
    private const string FileName = "admin.json";
    private const string DefaultDirectory = "/run/balancer";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { WriteIndented = true, TypeInfoResolver = AdminJsonContext.Default };

    /// <summary>The runtime directory systemd gave this process, or null when it has none (then nothing is published).</summary>
    private static string? OwnDirectory =>
        Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY") is { Length: > 0 } dirs ? dirs.Split(':')[0] : null;

    /// <summary>
    /// Writes this process's record (by rename, so a reader never sees half of it); returns its path, or null when there
    /// is no runtime directory or it cannot be written (logged: only <c>check --diff</c>'s default suffers, not serving).
    /// </summary>
    public static string? Publish(string boundAdmin, string? tokenFile, string configPath, ILogger logger)
    {
        if (OwnDirectory is not { } directory)
        {
            return null;
        }

        var record = new RunningInstance($"http://{Loopback(boundAdmin)}/", tokenFile, Path.GetFullPath(configPath), Environment.ProcessId);
        var path = Path.Combine(directory, FileName);
        var temp = $"{path}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp";
        try
        {
            File.WriteAllText(temp, JsonSerializer.Serialize(record, (JsonTypeInfo<RunningInstance>)s_json.GetTypeInfo(typeof(RunningInstance))));
            File.Move(temp, path, overwrite: true);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AdminLog.InstanceNotPublished(logger, path, e.Message);
            return null;
        }
    }

    /// <summary>Removes the record at <paramref name="path"/> if it is still this process's.</summary>
    public static void Withdraw(string path)
    {
        try
        {
            if (Read(path) is { } record && record.Pid == Environment.ProcessId)
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // systemd removes the runtime directory when the service stops anyway.
        }
    }

    /// <summary>Where <see cref="Find"/> looks: <c>$RUNTIME_DIRECTORY/admin.json</c>, else <c>/run/balancer/admin.json</c>.</summary>
    public static string Location => Path.Combine(OwnDirectory ?? DefaultDirectory, FileName);

    /// <summary>The running instance published at <see cref="Location"/>, if its process is alive; and where it was read.</summary>
    public static (RunningInstance Instance, string Path)? Find()
    {
        var path = Location;
        try
        {
            return Read(path) is { } record && (!OperatingSystem.IsLinux() || Directory.Exists($"/proc/{record.Pid.ToString(CultureInfo.InvariantCulture)}"))
                ? (record, path)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static RunningInstance? Read(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), (JsonTypeInfo<RunningInstance>)s_json.GetTypeInfo(typeof(RunningInstance))) : null;

    /// <summary>A wildcard bind is reached on loopback.</summary>
    private static string Loopback(string bound) =>
        bound.StartsWith("0.0.0.0:", StringComparison.Ordinal) ? "127.0.0.1" + bound[7..]
        : bound.StartsWith("[::]:", StringComparison.Ordinal) ? "[::1]" + bound[4..]
        : bound;
}

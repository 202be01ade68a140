using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>Checks that the secret files the config names can be read, are not empty, and are not readable by every user.</summary>
internal static class ReferencedFileChecker
{
    /// <summary>Reports each unreadable or empty file with <paramref name="severity"/>; relative names resolve against <paramref name="baseDirectory"/>.</summary>
    public static void Check(BalancerConfig config, string baseDirectory, ConfigErrorSeverity severity, ConfigDiagnostics diagnostics)
    {
        if (config.Failover is { KeyFile.Length: > 0 } failover)
        {
            CheckFile("failover.keyFile", failover.KeyFile, baseDirectory, severity, diagnostics);
        }

        if (config.Admin.TokenFile is { Length: > 0 } tokenFile)
        {
            CheckFile("admin.tokenFile", tokenFile, baseDirectory, severity, diagnostics);
        }

        CertificateFileChecker.Check(config, baseDirectory, severity, diagnostics);
    }

    private static void CheckFile(string path, string file, string baseDirectory, ConfigErrorSeverity severity, ConfigDiagnostics diagnostics)
    {
        string? problem;
        try
        {
            // The secret itself is never put in a message; only whether there is one.
            var fullPath = Path.GetFullPath(file, baseDirectory);
            var text = File.ReadAllText(fullPath);
            problem = string.IsNullOrWhiteSpace(text) ? "is empty" : WorldReadable(file, fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problem = $"cannot be read: {e.Message}";
        }

        if (problem is not null)
        {
            diagnostics.Report(path, $"file '{file}' {problem}", severity);
        }
    }

    /// <summary>
    /// A secret any local user can read is no secret (OpenSSH refuses such private keys for the same reason);
    /// the fix is named in the message. Group access is left to the operator (a service group may need it).
    /// </summary>
    private static string? WorldReadable(string file, string fullPath)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        var mode = File.GetUnixFileMode(fullPath);
        return (mode & UnixFileMode.OtherRead) != 0
            ? $"is readable by every user (mode {System.Convert.ToString((int)mode, 8)}); run: chmod 600 {file}"
            : null;
    }
}

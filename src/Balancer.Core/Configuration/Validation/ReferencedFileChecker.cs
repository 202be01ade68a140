using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>Checks that the secret files the config names can be read and are not empty.</summary>
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
            var text = File.ReadAllText(Path.GetFullPath(file, baseDirectory));
            problem = string.IsNullOrWhiteSpace(text) ? "is empty" : null;
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
}

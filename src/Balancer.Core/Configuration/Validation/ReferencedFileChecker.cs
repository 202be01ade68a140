using Balancer.Core.Configuration.Binding;
using Balancer.Core.Failover;

namespace Balancer.Core.Configuration.Validation;

/// <summary>
/// Checks the secret files the config names: readable, not empty, a well-formed key, and not readable by every user.
/// Only "cannot be read here" depends on where the check runs (a workstation checking a config for another host), so
/// only it takes the caller's severity; a file that is read and wrong or insecure is an error everywhere, because the
/// balancer refuses it at start-up and <c>balancer check</c> must not pass what the balancer refuses.
/// </summary>
internal static class ReferencedFileChecker
{
    /// <summary>Reports each problem; an unreadable file with <paramref name="unreadable"/>. Relative names resolve against <paramref name="baseDirectory"/>.</summary>
    public static void Check(BalancerConfig config, string baseDirectory, ConfigErrorSeverity unreadable, ConfigDiagnostics diagnostics)
    {
        if (config.Failover is { KeyFile.Length: > 0 } failover)
        {
            CheckFile("failover.keyFile", failover.KeyFile, baseDirectory, unreadable, diagnostics, KeyProblem);
        }

        if (config.Admin.TokenFile is { Length: > 0 } tokenFile)
        {
            CheckFile("admin.tokenFile", tokenFile, baseDirectory, unreadable, diagnostics, _ => null);
        }

        if (config.Admin.AuditLog is { Length: > 0 } auditLog && auditLog != "stdout")
        {
            CheckAppendable("admin.auditLog", auditLog, baseDirectory, unreadable, diagnostics);
        }

        CertificateFileChecker.Check(config, baseDirectory, unreadable, diagnostics);
    }

    /// <summary>A file Balancer will append to: not a directory, in a directory that exists, writable if it exists already.</summary>
    private static void CheckAppendable(string path, string file, string baseDirectory, ConfigErrorSeverity unwritable, ConfigDiagnostics diagnostics)
    {
        var fullPath = Path.GetFullPath(file, baseDirectory);
        if (Directory.Exists(fullPath))
        {
            diagnostics.Report(path, $"'{file}' is a directory; name a file in it, e.g. {Path.Combine(file, "audit.log")}");
            return;
        }

        var directory = Path.GetDirectoryName(fullPath);
        if (directory is null || !Directory.Exists(directory))
        {
            diagnostics.Report(path, $"the directory of '{file}' ({directory}) does not exist", unwritable);
            return;
        }

        if (!File.Exists(fullPath))
        {
            return; // created at start-up; a directory the service cannot write is reported then
        }

        try
        {
            // Opened for writing without writing, creating or truncating anything.
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e is UnauthorizedAccessException ? "cannot be written by this user (permission denied); the service must append to it" : $"cannot be written: {e.Message}";
            diagnostics.Report(path, $"file '{file}' {why}", unwritable);
        }
    }

    private static void CheckFile(
        string path, string file, string baseDirectory, ConfigErrorSeverity unreadable, ConfigDiagnostics diagnostics, Func<string, string?> contentProblem)
    {
        string text;
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(file, baseDirectory);
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            diagnostics.Report(path, $"file '{file}' {ReadFailure(file, e)}", unreadable);
            return;
        }

        // The secret itself is never put in a message; only what is wrong with it.
        var problem = string.IsNullOrWhiteSpace(text) ? "is empty" : contentProblem(text);
        if (problem is not null)
        {
            diagnostics.Report(path, $"file '{file}' {problem}");
        }

        if (SecretFilePermissions.Insecure(fullPath) is { } insecure)
        {
            diagnostics.Report(path, $"file '{file}' {insecure}; keep it to the service: {SecretFilePermissions.Fix(file)}");
        }
    }

    private static string ReadFailure(string file, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "does not exist",
        UnauthorizedAccessException => $"cannot be read by this user (permission denied); the service must read it: {SecretFilePermissions.Fix(file)}",
        _ => $"cannot be read: {e.Message}",
    };

    private static string? KeyProblem(string text) => FailoverKey.TryParse(text, out _, out var error) ? null : $"is not a peer key: {error}";
}

using System.ComponentModel;
using System.Diagnostics;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// Runs an external command without a shell, with a timeout, and logs what it printed. A failure — missing
/// executable, non-zero exit, timeout — is logged and reported as false, never thrown.
/// </summary>
internal sealed class CommandRunner(ILogger logger)
{
    private readonly Dictionary<string, string?> _found = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/>; true when it exits 0 within <paramref name="timeout"/>.</summary>
    public async Task<bool> RunAsync(string file, IReadOnlyList<string> args, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var command = string.Join(' ', args.Prepend(file));
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception e)
        {
            Log.FailoverCommandFailed(logger, command, e.Message);
            return false;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Log.FailoverCommandFailed(logger, command, $"no exit within {timeout.TotalSeconds} s; killed");
                return false;
            }

            var output = ((await stdout) + (await stderr)).Trim();
            if (process.ExitCode != 0)
            {
                Log.FailoverCommandFailed(logger, command, $"exit code {process.ExitCode}: {output}");
                return false;
            }

            if (output.Length > 0)
            {
                Log.FailoverCommandOutput(logger, command, output);
            }

            return true;
        }
    }

    /// <summary>The full path of <paramref name="tool"/> (PATH, then the sbin folders), or null; says once when it is missing.</summary>
    public string? Find(string tool, string hint, string consequence)
    {
        lock (_lock)
        {
            if (_found.TryGetValue(tool, out var known))
            {
                return known;
            }

            var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Concat(["/usr/sbin", "/sbin", "/usr/bin"])
                .Select(dir => Path.Combine(dir, tool))
                .FirstOrDefault(File.Exists);
            if (path is null)
            {
                Log.FailoverToolMissing(logger, tool, hint, consequence);
            }

            _found[tool] = path;
            return path;
        }
    }
}

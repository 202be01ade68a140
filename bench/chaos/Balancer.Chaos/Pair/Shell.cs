using System.Diagnostics;

namespace Balancer.Chaos.Pair;

/// <summary>Runs short commands (ip, curl in a namespace) to completion within a bound.</summary>
internal static class Shell
{
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(10_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Runs <c>ip</c>; throws with its output when it fails.</summary>
    public static string Ip(params string[] args)
    {
        var (code, output) = Run("ip", args);
        return code == 0 ? output : throw new InvalidOperationException($"ip {string.Join(' ', args)} failed ({code}): {output}");
    }
}

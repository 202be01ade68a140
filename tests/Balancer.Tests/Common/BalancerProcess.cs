using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Balancer.Tests.Common;

/// <summary>The real <c>balancer</c> executable run as a child process, for exit codes, signals and stderr.</summary>
public sealed partial class BalancerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly object _lock = new();

    private BalancerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_lock)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_lock)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet balancer.dll</c> with <paramref name="args"/> from the test's output folder.</summary>
    public static BalancerProcess Start(params string[] args) => StartWith("dotnet", [], new Dictionary<string, string>(), args);

    /// <summary>Starts <c>dotnet balancer.dll</c> with extra environment variables.</summary>
    public static BalancerProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) => StartWith("dotnet", [], environment, args);

    /// <summary>
    /// Starts it with SIGINT and SIGQUIT at their defaults: a shell that runs the tests in the background (CI) has them
    /// ignored, and an ignored SIGINT stays ignored in children, so Ctrl+C could not be tried.
    /// </summary>
    public static BalancerProcess StartWithDefaultSignals(params string[] args) =>
        StartWith("env", ["--default-signal=INT,QUIT", "dotnet"], new Dictionary<string, string>(), args);

    /// <summary>Starts <c>ip netns exec <paramref name="netns"/> dotnet balancer.dll</c>; <c>ip</c> execs, so <see cref="Id"/> is the balancer's.</summary>
    public static BalancerProcess StartInNamespace(string netns, params string[] args) => StartWith("ip", ["netns", "exec", netns, "dotnet"], new Dictionary<string, string>(), args);

    private static BalancerProcess StartWith(string file, string[] prefix, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        foreach (var arg in prefix.Append(Path.Combine(AppContext.BaseDirectory, "balancer.dll")).Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        return new BalancerProcess(Process.Start(info)!);
    }

    /// <summary>Runs to completion (bounded) and returns the exit code.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) =>
        RunAsync(new Dictionary<string, string>(), args);

    /// <summary>Runs to completion (bounded) with extra environment variables and returns the exit code.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Start(environment, args);
        var code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.Stdout, process.Stderr);
    }

    /// <summary>Waits for the listener named <paramref name="listener"/> to log its bound address.</summary>
    public async Task<Uri> WaitForListenerAsync(string listener, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var match = ListenerLine().Matches(Stdout).FirstOrDefault(m => m.Groups[1].Value == listener);
            if (match is not null)
            {
                return new Uri($"http://{match.Groups[2].Value}");
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"balancer exited with {_process.ExitCode}: {Stderr}{Stdout}");
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"listener {listener} did not start: {Stdout}{Stderr}");
    }

    /// <summary>Sends a POSIX signal to the process (SIGTERM = 15).</summary>
    public void Signal(int signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"balancer did not exit within {timeout}: {Stdout}{Stderr}");
        }

        _process.WaitForExit(); // flush the redirected streams
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private void Append(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            target.AppendLine(line);
        }
    }

    [GeneratedRegex(@"listener (\S+) \(\w+\) serving on (\S+)")]
    private static partial Regex ListenerLine();
}

using System.Text.RegularExpressions;
using Balancer.Chaos.Checks;

namespace Balancer.Chaos;

/// <summary>
/// The Balancer process under test: started from its dll with a config file, its log in the work directory, its
/// admin API for status, metrics, drain and enable, and SIGHUP.
/// </summary>
internal sealed partial class BalancerUnderTest : IDisposable
{
    private readonly HttpClient _admin;
    private ChildProcess? _process;

    public BalancerUnderTest(string balancerDll, string configPath, string log, Uri admin)
    {
        BalancerDll = balancerDll;
        ConfigPath = configPath;
        LogPath = log;
        _admin = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(5) };
    }

    public string BalancerDll { get; }

    public string ConfigPath { get; }

    public string LogPath { get; }

    public ChildProcess Process => _process ?? throw new InvalidOperationException("balancer not started");

    public async Task StartAsync(TimeSpan timeout)
    {
        _process = ChildProcess.Start(LogPath, ["dotnet", BalancerDll, "--config", ConfigPath]);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"balancer exited at start: {File.ReadAllText(LogPath)}");
            }

            if (await TryStatusAsync() is not null)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"balancer's admin API did not answer within {timeout}");
    }

    public async Task<StatusView?> TryStatusAsync()
    {
        try
        {
            return StatusView.Parse(await _admin.GetStringAsync(new Uri("/status", UriKind.Relative)));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public async Task<StatusView> StatusAsync() =>
        await TryStatusAsync() ?? throw new InvalidOperationException("balancer's /status did not answer");

    public async Task<MetricsView> MetricsAsync() => new(await MetricsTextAsync());

    public Task<string> MetricsTextAsync() => _admin.GetStringAsync(new Uri("/metrics", UriKind.Relative));

    /// <summary>POST drain or enable for a backend of pool <c>web</c>; returns the status code.</summary>
    public async Task<int> SetDrainingAsync(string address, bool draining)
    {
        var path = $"/pools/web/backends/{Uri.EscapeDataString(address)}/{(draining ? "drain" : "enable")}";
        using var response = await _admin.PostAsync(new Uri(path, UriKind.Relative), null);
        return (int)response.StatusCode;
    }

    public void Hangup() => Process.Signal(ChildProcess.SigHup);

    /// <summary>Lines of the log that hold a stack trace (on lines of its own, or folded into the line as the console logger does) or an unhandled exception.</summary>
    public IReadOnlyList<string> StackTraceLines() =>
        [.. File.ReadLines(LogPath).Where(l => StackFrame().IsMatch(l) || l.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase))];

    public void Dispose()
    {
        _process?.KillNow();
        _admin.Dispose();
    }

    [GeneratedRegex(@"(^|\s)at [\w.`<>+]+\.[\w<>`|]+\(|--- End of (inner exception|stack trace)")]
    private static partial Regex StackFrame();
}

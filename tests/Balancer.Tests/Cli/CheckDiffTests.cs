using Balancer.Tests.Common;

namespace Balancer.Tests.Cli;

/// <summary>
/// <c>balancer check --diff</c> against a running <c>balancer</c>, both the real executable: found through the runtime
/// directory it publishes in (as under systemd), or named with <c>--admin</c> and <c>--token-file</c>; a new file that
/// moves <c>admin.bind</c> or names another token still compares with what runs, and refusals read as such.
/// </summary>
public sealed class CheckDiffTests : IDisposable
{
    private const string Token = "check-diff-token";
    private readonly string _dir = Directory.CreateTempSubdirectory("balancer-checkdiff-").FullName;
    private readonly string _runtime;
    private readonly string _empty;

    public CheckDiffTests()
    {
        _runtime = Directory.CreateDirectory(Path.Combine(_dir, "run")).FullName;
        _empty = Directory.CreateDirectory(Path.Combine(_dir, "empty")).FullName;
        var token = Path.Combine(_dir, "admin.token");
        File.WriteAllText(token, Token + "\n");
        File.SetUnixFileMode(token, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Config(int weight, string admin) => $$"""
        { "listeners": { "web": { "bind": "127.0.0.1:0", "routes": [ { "pool": "web" } ] } },
          "pools": { "web": { "health": { "probe": "none" }, "backends": [ { "address": "http://127.0.0.1:5001", "weight": {{weight}} } ] } },
          "admin": {{admin}} }
        """;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private Dictionary<string, string> Runtime(string dir) => new() { ["RUNTIME_DIRECTORY"] = dir };

    [Fact]
    public async Task Diff_NewFileMovesAdminAndToken_ComparesWithThePublishedRunningInstance()
    {
        var running = Write("running.json", Config(1, """{ "bind": "127.0.0.1:0", "tokenFile": "admin.token" }"""));
        using var balancer = BalancerProcess.Start(Runtime(_runtime), "--config", running);
        await balancer.WaitForListenerAsync("web", TimeSpan.FromSeconds(60));
        var published = Path.Combine(_runtime, "admin.json");
        await Wait.Until(() => File.Exists(published), TimeSpan.FromSeconds(30), "admin.json published");
        var next = Write("next.json", Config(2, """{ "bind": "127.0.0.1:1", "tokenFile": "other.token" }"""));

        var (exit, stdout, stderr) = await BalancerProcess.RunAsync(Runtime(_runtime), "check", "--config", next, "--diff");

        Assert.True(exit == 0, stderr);
        var lines = stdout.Trim().Split('\n');
        Assert.StartsWith("a reload would be refused, against the running instance at http://127.0.0.1:", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("1 of these changes needs a restart (a reload applies all or nothing):", lines[1], StringComparison.Ordinal);
        Assert.Equal(
            ["  ~backend web/http://127.0.0.1:5001 (weight 1 → 2)", "  ~admin (bind 127.0.0.1:0 → 127.0.0.1:1, tokenFile admin.token → other.token) — refused live: restart needed"],
            lines[2..]);
        Assert.Contains("warning: file 'other.token' does not exist", stderr, StringComparison.Ordinal);

        balancer.Signal(15);
        Assert.Equal(0, await balancer.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.False(File.Exists(published), "admin.json withdrawn on shutdown");
    }

    [Fact]
    public async Task Diff_AdminAndTokenFileOptions_OrTheMessageSaysWhatIsMissing()
    {
        var running = Write("running.json", Config(1, """{ "bind": "127.0.0.1:0", "tokenFile": "admin.token" }"""));
        using var balancer = BalancerProcess.Start("--config", running); // no runtime directory: nothing published
        await balancer.WaitForListenerAsync("web", TimeSpan.FromSeconds(60));
        var admin = await AdminAddressAsync(balancer);
        var next = Write("next.json", Config(3, """{ "bind": "127.0.0.1:1" }"""));

        var named = await BalancerProcess.RunAsync(Runtime(_empty), "check", "--config", next, "--diff", "--admin", admin, "--token-file", Path.Combine(_dir, "admin.token"));
        var noToken = await BalancerProcess.RunAsync(Runtime(_empty), "check", "--config", next, "--diff", "--admin", admin);
        var nobody = await BalancerProcess.RunAsync(Runtime(_empty), "check", "--config", next, "--diff");

        Assert.True(named.ExitCode == 0, named.Stderr);
        Assert.Contains("  ~backend web/http://127.0.0.1:5001 (weight 1 → 3)", named.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, noToken.ExitCode);
        Assert.Equal($"balancer: the admin API at http://{admin} needs its token (admin.tokenFile): pass --token-file FILE", noToken.Stderr.Trim());
        Assert.Equal(1, nobody.ExitCode);
        Assert.Equal(
            $"balancer: no admin API answers at http://127.0.0.1:1/ (admin.bind of {next}; no running instance is published in {_empty}/admin.json): Connection refused; "
            + "name the running instance with --admin URL (and --token-file FILE), or compare with a file: --diff FILE",
            nobody.Stderr.Trim());
    }

    private static async Task<string> AdminAddressAsync(BalancerProcess balancer)
    {
        string? address = null;
        await Wait.Until(
            () => (address = balancer.Stdout.Split('\n').Select(l => l.Split("admin API serving on ")).Where(p => p.Length == 2).Select(p => p[1].Trim()).FirstOrDefault()) is not null,
            TimeSpan.FromSeconds(30),
            "admin API address logged");
        return address!;
    }
}

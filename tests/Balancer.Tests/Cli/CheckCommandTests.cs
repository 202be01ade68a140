using System.Net;
using System.Net.Sockets;
using Balancer.Tests.Common;

namespace Balancer.Tests.Cli;

public sealed class CheckCommandTests
{
    public static TheoryData<string> BrokenConfigs()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Broken"), "*.json").Order())
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BrokenConfigs))]
    public async Task Check_BrokenConfig_ExitsOneNamingLineAndColumn(string name)
    {
        var path = Path.Combine("Broken", name);
        var expect = File.ReadLines(Path.Combine(AppContext.BaseDirectory, path)).First()["// expect: ".Length..];

        var (exitCode, stdout, stderr) = await BalancerProcess.RunAsync("check", "--config", path);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        var errors = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.Contains(": warning: ", StringComparison.Ordinal));
        Assert.Equal($"{path}:{expect}", Assert.Single(errors));
    }

    [Theory]
    [InlineData("config/balancer.json")]
    [InlineData("config/demo.json")]
    public async Task Check_ShippedConfig_ExitsZero(string path)
    {
        var (exitCode, stdout, stderr) = await BalancerProcess.RunAsync("check", "--config", path);

        Assert.True(exitCode == 0, stderr);
        Assert.StartsWith($"{path}: valid", stdout);
    }

    [Fact]
    public async Task Check_MissingFile_OneLineNoStackTrace()
    {
        var (exitCode, _, stderr) = await BalancerProcess.RunAsync("check", "--config", "no/such/file.json");

        Assert.Equal(1, exitCode);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no/such/file.json", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Run_PortInUse_OneLineExitOne()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var dir = Directory.CreateTempSubdirectory("balancer-cli-").FullName;
        try
        {
            var config = Path.Combine(dir, "balancer.json");
            await File.WriteAllTextAsync(config, TestBalancer.SinglePoolConfig("round-robin", ("http://127.0.0.1:1", 1)).Replace("127.0.0.1:0\",\n", $"127.0.0.1:{port}\",\n", StringComparison.Ordinal).Replace("\"bind\": \"127.0.0.1:0\",", $"\"bind\": \"127.0.0.1:{port}\",", StringComparison.Ordinal));

            var (exitCode, stdout, stderr) = await BalancerProcess.RunAsync("--config", config);

            Assert.Equal(1, exitCode);
            Assert.Equal($"balancer: listener web: cannot listen on 127.0.0.1:{port}: Address already in use", stderr.Trim());
            Assert.DoesNotContain("   at ", stdout);
            Assert.DoesNotContain("fail:", stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Run_AddressNotOnThisHost_OneLineExitOne_DetailOnlyAtDebug()
    {
        var dir = Directory.CreateTempSubdirectory("balancer-cli-").FullName;
        try
        {
            // 198.18.0.0/15 is the benchmarking range: no interface here has it, so the bind fails (nothing is sent).
            var config = Path.Combine(dir, "balancer.json");
            await File.WriteAllTextAsync(config, TestBalancer.SinglePoolConfig("round-robin", ("http://127.0.0.1:1", 1)).Replace("\"bind\": \"127.0.0.1:0\",", "\"bind\": \"198.18.0.100:8080\",", StringComparison.Ordinal));
            var expected = "balancer: listener web: cannot listen on 198.18.0.100:8080: Cannot assign requested address";

            var (exitCode, stdout, stderr) = await BalancerProcess.RunAsync("--config", config);
            using var debug = BalancerProcess.Start(new Dictionary<string, string> { ["BALANCER_LOG_LEVEL"] = "Debug" }, "--config", config);
            var debugExit = await debug.WaitForExitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(1, exitCode);
            Assert.Equal(expected, stderr.Trim());
            Assert.Equal("", stdout);
            Assert.Equal(1, debugExit);
            Assert.Equal(expected, debug.Stderr.Trim());
            Assert.Contains("dbug: Balancer[308] start-up failed: listener web", debug.Stdout);
            Assert.Contains("SocketException", debug.Stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task CheckDiff_AgainstFileAndRunningInstance_PrintsChanges()
    {
        await using var balancer = await TestBalancer.StartAsync(TestBalancer.SinglePoolConfig("round-robin", ("http://127.0.0.1:5001", 1), ("http://127.0.0.1:5002", 1)), watch: false);
        var next = Path.Combine(Path.GetDirectoryName(balancer.ConfigPath)!, "next.json");
        await File.WriteAllTextAsync(next, TestBalancer.SinglePoolConfig("round-robin", ("http://127.0.0.1:5001", 2), ("http://127.0.0.1:5004", 1)));
        var expected = """
              -backend web/http://127.0.0.1:5002
              ~backend web/http://127.0.0.1:5001 (weight 1 → 2)
              +backend web/http://127.0.0.1:5004
            """;

        var (fileExit, fileOut, fileErr) = await BalancerProcess.RunAsync("check", "--config", next, "--diff", balancer.ConfigPath);
        var (runningExit, runningOut, _) = await BalancerProcess.RunAsync("check", "--config", next, "--diff", balancer.AdminAddress.ToString());

        Assert.True(fileExit == 0, fileErr);
        Assert.EndsWith(expected, fileOut.TrimEnd().Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains($"a reload would change, against {balancer.ConfigPath}:", fileOut);
        Assert.Equal(0, runningExit);
        Assert.EndsWith(expected, runningOut.TrimEnd(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-c", "-f", "config/balancer.json")]
    [InlineData("-c", "--config", "config/balancer.json")]
    [InlineData("check", "config/balancer.json")]
    [InlineData("check", "-f", "config/balancer.json")]
    public async Task Check_HaproxyStyleFlags_ChecksAndExits(params string[] args)
    {
        var (exitCode, stdout, stderr) = await BalancerProcess.RunAsync(args);

        Assert.True(exitCode == 0, stderr);
        Assert.StartsWith("config/balancer.json: valid", stdout);
    }

    [Fact]
    public async Task DashC_BrokenConfig_ReportsLikeCheck()
    {
        var (exitCode, stdout, stderr) = await BalancerProcess.RunAsync("-c", "-f", Path.Combine("Broken", Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Broken"), "*.json").Order().Select(Path.GetFileName).First()!));

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        Assert.StartsWith("Broken/", stderr);
    }

    [Theory]
    [InlineData("check", "--config")]
    [InlineData("-c", "-f")]
    [InlineData("--config")]
    public async Task ConfigIsDirectoryOrMissing_OneLineInOurWords(params string[] args)
    {
        var dir = Directory.CreateTempSubdirectory("balancer-cli-").FullName;
        try
        {
            var prefix = args.Length == 1 ? "balancer: " : "";
            var (dirExit, _, dirErr) = await BalancerProcess.RunAsync([.. args, dir]);
            var (missingExit, _, missingErr) = await BalancerProcess.RunAsync([.. args, Path.Combine(dir, "balancer.json")]);

            Assert.Equal(1, dirExit);
            Assert.Equal($"{prefix}{dir}: is a directory", dirErr.Trim());
            Assert.Equal(1, missingExit);
            Assert.Equal($"{prefix}{Path.Combine(dir, "balancer.json")}: no such file", missingErr.Trim());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("-v")]
    [InlineData("version")]
    public async Task Version_PrintsVersion(string flag)
    {
        var (exitCode, stdout, _) = await BalancerProcess.RunAsync(flag);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("0.1.0", stdout);
    }

    [Fact]
    public async Task UnknownOption_ExitsNonZeroWithUsage()
    {
        var (exitCode, _, stderr) = await BalancerProcess.RunAsync("--no-such-option");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--no-such-option", stderr);
    }
}

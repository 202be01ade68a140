using Balancer.Tests.Common;

namespace Balancer.Tests.Cli;

/// <summary>
/// <c>balancer check</c> through the real executable on the files a config names and on the host it runs on:
/// it passes exactly what <c>balancer</c> would start with, save what depends on the host, which <c>--strict</c> decides.
/// </summary>
public sealed class CheckFilesTests : IDisposable
{
    private const string Key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private readonly string _dir = Directory.CreateTempSubdirectory("balancer-checkfiles-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteConfig(string bind = "127.0.0.1:0") => Write("balancer.json", $$"""
        { "listeners": { "web": { "bind": "{{bind}}", "routes": [ { "pool": "web" } ] } },
          "pools": { "web": { "backends": [ { "address": "http://127.0.0.1:1" } ] } },
          "failover": { "nodeId": "lb1", "bind": "127.0.0.1:0", "peers": ["127.0.0.1:7946"], "keyFile": "peer.key",
                        "virtualIps": ["198.18.0.100/24"], "vipAction": "none" },
          "admin": { "bind": "127.0.0.1:0" } }
        """);

    private string Write(string name, string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public async Task Check_WorldReadableKey_ExitsOneLikeTheBalancer()
    {
        var config = WriteConfig();
        Write("peer.key", Key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var (checkExit, _, checkErr) = await BalancerProcess.RunAsync("check", "--config", config);
        var (runExit, _, runErr) = await BalancerProcess.RunAsync("--config", config);

        var expected = $"failover.keyFile: file 'peer.key' is readable by every user (mode 0644); keep it to the service: chown root:balancer peer.key && chmod 0640 peer.key";
        Assert.Equal(1, checkExit);
        Assert.EndsWith(expected, checkErr.Trim(), StringComparison.Ordinal);
        Assert.Equal(1, runExit);
        Assert.Contains(expected, runErr, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, checkErr + runErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_UnreadableKey_WarnsByDefault_StrictFails()
    {
        var config = WriteConfig(); // peer.key does not exist: unreadable here, as on a workstation

        var (plainExit, plainOut, plainErr) = await BalancerProcess.RunAsync("check", "--config", config);
        var (strictExit, strictOut, strictErr) = await BalancerProcess.RunAsync("check", "--strict", "--config", config);
        var (dashCExit, _, dashCErr) = await BalancerProcess.RunAsync("-c", "--strict", "-f", config);

        Assert.True(plainExit == 0, plainErr);
        Assert.StartsWith($"{config}: valid", plainOut, StringComparison.Ordinal);
        Assert.EndsWith("failover.keyFile: warning: file 'peer.key' does not exist", plainErr.Trim(), StringComparison.Ordinal);
        Assert.Equal(1, strictExit);
        Assert.Equal("", strictOut);
        Assert.EndsWith("failover.keyFile: file 'peer.key' does not exist", strictErr.Trim(), StringComparison.Ordinal);
        Assert.Equal(1, dashCExit);
        Assert.Equal(strictErr, dashCErr);
    }

    [Fact]
    public async Task StrictWithoutCheck_IsRefused()
    {
        var (exit, _, stderr) = await BalancerProcess.RunAsync("--strict", "--config", WriteConfig());

        Assert.Equal(2, exit);
        Assert.Equal("balancer: --strict applies to check: balancer check --strict --config FILE (or balancer -c --strict -f FILE)", stderr.Trim());
    }

    [Fact]
    public async Task Check_ListenerOnVirtualIp_WarnsUnlessNonlocalBind()
    {
        var config = WriteConfig(bind: "198.18.0.100:8080");
        Write("peer.key", Key);
        var nonlocal = File.ReadAllText("/proc/sys/net/ipv4/ip_nonlocal_bind").Trim();

        var (exit, stdout, stderr) = await BalancerProcess.RunAsync("check", "--config", config);

        Assert.True(exit == 0, stderr);
        Assert.StartsWith($"{config}: valid", stdout, StringComparison.Ordinal);
        if (nonlocal == "1")
        {
            Assert.Equal("", stderr);
        }
        else
        {
            Assert.Equal(
                $"{config}:1:35 listeners.web.bind: warning: '198.18.0.100:8080' is a failover virtual IP, which a node holds only as master and not yet while it starts, "
                + $"so both nodes will fail with 'Cannot assign requested address' unless net.ipv4.ip_nonlocal_bind=1 ({nonlocal} here): bind 0.0.0.0:8080 instead, "
                + "or set the sysctl on both nodes (docs/failover.md)",
                stderr.Trim());
        }
    }
}

using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

/// <summary>Secret files named by the config: warnings for <c>balancer check</c>, errors for the running balancer.</summary>
public sealed class ReferencedFileCheckerTests : IDisposable
{
    private const string Json = """
        {
          "failover": { "nodeId": "lb1", "peers": ["198.18.0.12:7946"], "keyFile": "peer.key" },
          "admin": { "bind": "127.0.0.1:9901", "tokenFile": "admin.token" }
        }
        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("balancer-config-").FullName;
    private readonly string _configPath;

    public ReferencedFileCheckerTests()
    {
        _configPath = Path.Combine(_directory, "balancer.json");
        File.WriteAllText(_configPath, Json);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Writes a secret file owner-only (0600), plus <paramref name="extra"/> permission bits.</summary>
    private void WriteSecret(string name, string text, UnixFileMode extra = UnixFileMode.None)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);
        }
    }

    [Fact]
    public void Load_WarnAndFilesMissing_WarnsAndStaysValid()
    {
        var result = ConfigLoader.Load(_configPath, ReferencedFileCheck.Warn);

        Assert.True(result.IsValid);
        Assert.Collection(
            result.Errors,
            e => Assert.StartsWith($"{_configPath}:2:76 failover.keyFile: warning: file 'peer.key' cannot be read: ", e.ToString(), StringComparison.Ordinal),
            e => Assert.StartsWith($"{_configPath}:3:53 admin.tokenFile: warning: file 'admin.token' cannot be read: ", e.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Load_RequireAndFilesMissing_IsInvalid()
    {
        var result = ConfigLoader.Load(_configPath, ReferencedFileCheck.Require);

        Assert.False(result.IsValid);
        Assert.Null(result.Config);
        Assert.Equal(2, result.Errors.Count(e => e.IsError));
    }

    [Fact]
    public void Load_RequireAndFilesNextToConfig_ResolvesRelativeToConfigDirectory()
    {
        WriteSecret("peer.key", new string('a', 64) + "\n");
        WriteSecret("admin.token", "secret");

        var result = ConfigLoader.Load(_configPath, ReferencedFileCheck.Require);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Empty(result.Errors);
        Assert.Equal(Path.Combine(_directory, "peer.key"), result.ResolveFile(result.Config!.Failover!.KeyFile));
    }

    [Fact]
    public void Load_RequireAndEmptyKeyFile_ReportsEmpty()
    {
        WriteSecret("peer.key", "  \n");
        WriteSecret("admin.token", "secret");

        var result = ConfigLoader.Load(_configPath, ReferencedFileCheck.Require);

        Assert.Equal($"{_configPath}:2:76 failover.keyFile: file 'peer.key' is empty", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Load_RequireAndWorldReadableFiles_RefusesNamingFileAndFix()
    {
        WriteSecret("peer.key", "0123456789abcdef-peer-secret", UnixFileMode.OtherRead | UnixFileMode.GroupRead);
        WriteSecret("admin.token", "admin-token-secret", UnixFileMode.OtherRead);

        var result = ConfigLoader.Load(_configPath, ReferencedFileCheck.Require);

        Assert.False(result.IsValid);
        Assert.Collection(
            result.Errors,
            e => Assert.Equal($"{_configPath}:2:76 failover.keyFile: file 'peer.key' is readable by every user (mode 644); run: chmod 600 peer.key", e.ToString()),
            e => Assert.Equal($"{_configPath}:3:53 admin.tokenFile: file 'admin.token' is readable by every user (mode 604); run: chmod 600 admin.token", e.ToString()));
        Assert.DoesNotContain(result.Errors, e => e.ToString().Contains("secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_WarnAndWorldReadableFile_WarnsAndStaysValid()
    {
        WriteSecret("peer.key", new string('a', 64), UnixFileMode.OtherRead);
        WriteSecret("admin.token", "secret");

        var result = ConfigLoader.Load(_configPath, ReferencedFileCheck.Warn);

        Assert.True(result.IsValid);
        Assert.Contains("warning: file 'peer.key' is readable by every user", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Skip_DoesNotLookAtFiles()
    {
        var result = ConfigLoader.Load(_configPath, ReferencedFileCheck.Skip);

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
    }
}

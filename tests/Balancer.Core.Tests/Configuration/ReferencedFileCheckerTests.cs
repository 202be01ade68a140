using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

/// <summary>
/// Secret files named by the config: one that cannot be read here is a warning for <c>balancer check</c> and an error
/// for the running balancer (and <c>check --strict</c>); one that is read and wrong or insecure is an error for both.
/// </summary>
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
            e => Assert.Equal($"{_configPath}:2:76 failover.keyFile: warning: file 'peer.key' does not exist", e.ToString()),
            e => Assert.Equal($"{_configPath}:3:53 admin.tokenFile: warning: file 'admin.token' does not exist", e.ToString()));
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
        WriteSecret("peer.key", new string('b', 64), UnixFileMode.OtherRead | UnixFileMode.GroupRead);
        WriteSecret("admin.token", "admin-token-secret", UnixFileMode.OtherRead);

        var result = ConfigLoader.Load(_configPath, ReferencedFileCheck.Require);

        Assert.False(result.IsValid);
        Assert.Collection(
            result.Errors,
            e => Assert.Equal($"{_configPath}:2:76 failover.keyFile: file 'peer.key' is readable by every user (mode 0644); keep it to the service: chown root:balancer peer.key && chmod 0640 peer.key", e.ToString()),
            e => Assert.Equal($"{_configPath}:3:53 admin.tokenFile: file 'admin.token' is readable by every user (mode 0604); keep it to the service: chown root:balancer admin.token && chmod 0640 admin.token", e.ToString()));
        Assert.DoesNotContain(result.Errors, e => e.ToString().Contains("secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_WarnAndWorldReadableFile_IsAnErrorAsAtStartUp()
    {
        WriteSecret("peer.key", new string('a', 64), UnixFileMode.OtherRead);
        WriteSecret("admin.token", "secret");

        var result = ConfigLoader.Load(_configPath, ReferencedFileCheck.Warn);

        Assert.False(result.IsValid);
        Assert.Equal(
            $"{_configPath}:2:76 failover.keyFile: file 'peer.key' is readable by every user (mode 0604); keep it to the service: chown root:balancer peer.key && chmod 0640 peer.key",
            Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Load_GroupReadable_IsTheAdvisedModeAndPasses()
    {
        WriteSecret("peer.key", new string('a', 64), UnixFileMode.GroupRead);
        WriteSecret("admin.token", "secret", UnixFileMode.GroupRead);

        Assert.Empty(ConfigLoader.Load(_configPath, ReferencedFileCheck.Warn).Errors);
    }

    [Theory]
    [InlineData(ReferencedFileCheck.Warn)]
    [InlineData(ReferencedFileCheck.Require)]
    public void Load_MalformedOrEmptyFiles_AreErrorsWhereverChecked(ReferencedFileCheck mode)
    {
        WriteSecret("peer.key", "not-hex\n");
        WriteSecret("admin.token", " \n");

        var result = ConfigLoader.Load(_configPath, mode);

        Assert.False(result.IsValid);
        Assert.Collection(
            result.Errors,
            e => Assert.Equal($"{_configPath}:2:76 failover.keyFile: file 'peer.key' is not a peer key: a key must be 64 hex digits (openssl rand -hex 32), found 7 characters", e.ToString()),
            e => Assert.Equal($"{_configPath}:3:53 admin.tokenFile: file 'admin.token' is empty", e.ToString()));
    }

    [Fact]
    public void Load_Skip_DoesNotLookAtFiles()
    {
        var result = ConfigLoader.Load(_configPath, ReferencedFileCheck.Skip);

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
    }
}

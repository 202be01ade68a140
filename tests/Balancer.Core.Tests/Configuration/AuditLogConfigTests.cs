using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

/// <summary><c>admin.auditLog</c>: <c>stdout</c> or a file Balancer can append to, checked like the files a config names.</summary>
public sealed class AuditLogConfigTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("balancer-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ConfigLoadResult Load(string auditLog, ReferencedFileCheck check = ReferencedFileCheck.Require)
    {
        var path = Path.Combine(_directory, "balancer.json");
        File.WriteAllText(path, $$"""{ "admin": { "bind": "127.0.0.1:9901", "auditLog": {{auditLog}} } }""");
        return ConfigLoader.Load(path, check);
    }

    [Theory]
    [InlineData("\"stdout\"")]
    [InlineData("\"audit.log\"")]
    public void AuditLog_StdoutOrAFileInAnExistingDirectory_Valid(string value)
    {
        var result = Load(value);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(value.Trim('"'), result.Config!.Admin.AuditLog);
    }

    [Fact]
    public void AuditLog_Empty_ErrorSaysWhatToWrite()
    {
        var error = Assert.Single(Load("\"\"").Errors);

        Assert.Equal("admin.auditLog", error.Path);
        Assert.Contains("must be \"stdout\" or a file path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditLog_ADirectory_AnErrorEvenForCheck()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "logs"));

        var error = Assert.Single(Load("\"logs\"", ReferencedFileCheck.Warn).Errors);

        Assert.True(error.IsError);
        Assert.Equal("'logs' is a directory; name a file in it, e.g. logs/audit.log", error.Message);
    }

    [Fact]
    public void AuditLog_InAMissingDirectory_AWarningForCheck_AnErrorForTheBalancer()
    {
        var warned = Assert.Single(Load("\"nowhere/audit.log\"", ReferencedFileCheck.Warn).Errors);
        var refused = Assert.Single(Load("\"nowhere/audit.log\"").Errors);

        Assert.False(warned.IsError);
        Assert.True(refused.IsError);
        Assert.Contains("the directory of 'nowhere/audit.log'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditLog_NotAString_ErrorAtItsPosition()
    {
        var error = Assert.Single(Load("5").Errors);

        Assert.Equal("admin.auditLog", error.Path);
        Assert.Equal(1, error.Line);
    }
}

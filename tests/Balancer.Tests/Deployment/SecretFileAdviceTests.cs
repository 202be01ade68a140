using System.Text.RegularExpressions;
using Balancer.Core.Configuration;
using Balancer.Tests.Common;

namespace Balancer.Tests.Deployment;

/// <summary>
/// One rule for the key and token files, said the same way wherever an operator reads it: the error text, the
/// systemd unit's header, docs/operations.md, docs/failover.md and the README. And the unit checks with
/// <c>--strict</c> before it starts, so a file the service user cannot read fails the start with the check's message.
/// </summary>
public sealed partial class SecretFileAdviceTests
{
    [Theory]
    [InlineData("deploy/balancer.service")]
    [InlineData("docs/operations.md")]
    [InlineData("docs/failover.md")]
    [InlineData("README.md")]
    public void Docs_GiveTheErrorTextsFix_AndNoOther(string file)
    {
        var text = RepositoryRoot.Read(file);
        var fix = Regex.Escape(SecretFilePermissions.Fix("FILE")).Replace("FILE", @"\S+", StringComparison.Ordinal);

        Assert.Matches($"(sudo )?{fix.Replace(@"&&\ ", @"&&\ (sudo\ )?", StringComparison.Ordinal)}", text);
        Assert.DoesNotMatch(OtherAdvice(), text);
    }

    [Fact]
    public void Unit_ChecksStrictlyBeforeStarting_AndGivesUpOnABadConfig()
    {
        var unit = RepositoryRoot.Read("deploy/balancer.service");

        Assert.Matches(@"(?m)^ExecStartPre=/opt/balancer/balancer check --strict --config /etc/balancer/balancer\.json$", unit);
        Assert.Matches(@"(?m)^ExecStart=/opt/balancer/balancer --config /etc/balancer/balancer\.json$", unit);
        Assert.Matches(@"(?m)^StartLimitBurst=\d+$", unit);
        Assert.Matches(@"(?m)^RuntimeDirectory=balancer$", unit);
    }

    /// <summary>Advice that disagrees: owner-only modes (the service user, in group balancer, could not read a root-owned file) or world-readable ones.</summary>
    [GeneratedRegex(@"chmod (0?600|0?400|0?644)|-m 0?600 \S*(key|token)|install -D -m 0644 config/balancer\.json")]
    private static partial Regex OtherAdvice();
}

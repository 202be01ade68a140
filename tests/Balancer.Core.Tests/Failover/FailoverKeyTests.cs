using Balancer.Core.Failover;

namespace Balancer.Core.Tests.Failover;

public class FailoverKeyTests
{
    private const string Hex = "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";

    [Fact]
    public void TryParse_OpensslOutputWithNewline_ReturnsKey()
    {
        Assert.True(FailoverKey.TryParse($"  {Hex}\n", out var key, out var error));
        Assert.Null(error);
        Assert.Equal(Convert.FromHexString(Hex), key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abcd")]
    [InlineData(Hex + "00")]
    [InlineData("zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")]
    public void TryParse_NotSixtyFourHexDigits_FailsWithReason(string text)
    {
        Assert.False(FailoverKey.TryParse(text, out var key, out var error));
        Assert.Empty(key);
        Assert.NotNull(error);
    }
}

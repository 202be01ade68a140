using Balancer.Core.Failover;

namespace Balancer.Core.Tests.Failover;

public class FailoverKeyTests
{
    private const string Hex = "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";
    private const string Other = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    [Fact]
    public void TryParse_OpensslOutputWithNewline_ReturnsOneSigningKey()
    {
        Assert.True(FailoverKey.TryParse($"  {Hex}\n", out var ring, out var error));
        Assert.Null(error);
        Assert.Equal(Convert.FromHexString(Hex), ring.SigningKey.ToArray());
        Assert.Equal([FailoverKeyRing.IdOf(Convert.FromHexString(Hex))], ring.KeyIds);
    }

    [Fact]
    public void TryParse_TwoKeys_TheFirstSignsBothVerify()
    {
        Assert.True(FailoverKey.TryParse($"{Other}\r\n\n{Hex}\n", out var ring, out _));

        Assert.Equal(Convert.FromHexString(Other), ring.SigningKey.ToArray());
        Assert.True(ring.TryFind(FailoverKeyRing.IdOf(Convert.FromHexString(Hex)), out var key, out var slot));
        Assert.Equal(Convert.FromHexString(Hex), key);
        Assert.Equal(2, slot);
        Assert.False(ring.TryFind(12345, out _, out _));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("abcd", "64 hex digits")]
    [InlineData(Hex + "00", "64 hex digits")]
    [InlineData("zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "not hex digits")]
    [InlineData(Hex + "\n" + Other + "\n" + Hex, "at most two")]
    [InlineData(Hex + "\n" + Hex, "the same")]
    [InlineData(Hex + "\nnot-a-key", "line 2:")]
    public void TryParse_NotOneOrTwoKeys_FailsWithReason(string text, string reason)
    {
        Assert.False(FailoverKey.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain(Hex[..16], error, StringComparison.OrdinalIgnoreCase); // a key never shows in an error
    }

    [Fact]
    public void IdOf_DependsOnTheKeyOnly()
    {
        var key = Convert.FromHexString(Hex);

        Assert.Equal(FailoverKeyRing.IdOf(key), FailoverKeyRing.IdOf([.. key]));
        Assert.NotEqual(FailoverKeyRing.IdOf(key), FailoverKeyRing.IdOf(Convert.FromHexString(Other)));
    }
}

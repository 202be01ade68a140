using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

public sealed class StatusCodeRangesTests
{
    [Theory]
    [InlineData("200-399", 200, true)]
    [InlineData("200-399", 399, true)]
    [InlineData("200-399", 404, false)]
    [InlineData("200,204", 204, true)]
    [InlineData("200,204", 201, false)]
    [InlineData("2xx", 299, true)]
    [InlineData("2xx, 304", 304, true)]
    [InlineData("200, 300-302", 301, true)]
    public void Contains_ParsedRanges_MatchesCodes(string text, int status, bool expected)
    {
        Assert.True(StatusCodeRanges.TryParse(text, out var ranges, out var error), error);
        Assert.Equal(expected, ranges.Contains(status));
    }

    [Theory]
    [InlineData("")]
    [InlineData("200-700")]
    [InlineData("99")]
    [InlineData("399-200")]
    [InlineData("6xx")]
    [InlineData("200,,204")]
    [InlineData("ok")]
    public void TryParse_Invalid_ReturnsError(string text)
    {
        Assert.False(StatusCodeRanges.TryParse(text, out _, out var error));
        Assert.Contains($"'{text}' is not a list of status codes", error, StringComparison.Ordinal);
    }
}

using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("0s", 0)]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("1m", 60_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("0.25ms", 0.25)]
    public void TryParse_ValidDuration_ReturnsValue(string text, double milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
        Assert.Equal("", error);
    }

    [Theory]
    [InlineData("", "'' is not a duration; use a number and a unit ms, s, m or h, e.g. \"500ms\" or \"2s\"")]
    [InlineData("2", "'2' is not a duration; use a number and a unit ms, s, m or h, e.g. \"500ms\" or \"2s\"")]
    [InlineData("-1s", "'-1s' is negative; durations must be zero or more")]
    [InlineData("2 s", "'2 s' is not a duration; use a number and a unit ms, s, m or h, e.g. \"500ms\" or \"2s\"")]
    [InlineData("250us", "'250us' is not a duration; use a number and a unit ms, s, m or h, e.g. \"500ms\" or \"2s\"")]
    [InlineData("1m30s", "'1m30s' is not a duration; use a number and a unit ms, s, m or h, e.g. \"500ms\" or \"2s\"")]
    [InlineData("1S", "'1S' is not a duration; use a number and a unit ms, s, m or h, e.g. \"500ms\" or \"2s\"")]
    [InlineData(".5s", "'.5s' is not a duration; use a number and a unit ms, s, m or h, e.g. \"500ms\" or \"2s\"")]
    [InlineData("abc", "'abc' is not a duration; use a number and a unit ms, s, m or h, e.g. \"500ms\" or \"2s\"")]
    [InlineData("99999999999999h", "'99999999999999h' is too long a duration")]
    [InlineData("99999999999999999999h", "'99999999999999999999h' is too long a duration")]
    [InlineData("999999999999999999999999999999s", "'999999999999999999999999999999s' is too long a duration")]
    public void TryParse_InvalidDuration_ReturnsError(string text, string expected)
    {
        Assert.False(DurationParser.TryParse(text, out var value, out var error));
        Assert.Equal(TimeSpan.Zero, value);
        Assert.Equal(expected, error);
    }
}

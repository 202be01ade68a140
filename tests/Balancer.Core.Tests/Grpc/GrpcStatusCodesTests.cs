using Balancer.Core.Grpc;

namespace Balancer.Core.Tests.Grpc;

public sealed class GrpcStatusCodesTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("14", 14)]
    [InlineData("16", 16)]
    [InlineData("", 2)]
    [InlineData("1a", 2)]
    [InlineData("-1", 2)]
    [InlineData("12345", 2)]
    public void ParseField_DecimalOrUnknown(string value, int expected) => Assert.Equal(expected, GrpcStatusCodes.ParseField(value));

    [Fact]
    public void NameAndTryParse_RoundTripEveryCode()
    {
        for (var code = 0; code <= 16; code++)
        {
            Assert.True(GrpcStatusCodes.TryParse(GrpcStatusCodes.Name(code), out var parsed));
            Assert.Equal(code, parsed);
        }

        Assert.Equal("UNAVAILABLE", GrpcStatusCodes.Name(14));
        Assert.Equal("UNKNOWN", GrpcStatusCodes.Name(99));
        Assert.False(GrpcStatusCodes.TryParse("unavailable", out _));
    }

    [Theory]
    [InlineData(400, 13)]
    [InlineData(401, 16)]
    [InlineData(403, 7)]
    [InlineData(404, 12)]
    [InlineData(429, 14)]
    [InlineData(502, 14)]
    [InlineData(503, 14)]
    [InlineData(504, 14)]
    [InlineData(500, 2)]
    [InlineData(302, 2)]
    public void FromHttpStatus_FollowsTheSpecMapping(int http, int grpc) => Assert.Equal(grpc, GrpcStatusCodes.FromHttpStatus(http));
}

using System.Net;
using Balancer.Core.Model;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.Model;

public sealed class BackendStateTests
{
    [Theory]
    [InlineData("127.0.0.1:5432", "127.0.0.1:5432")]
    [InlineData("[::1]:6379", "[::1]:6379")]
    [InlineData("db.internal:5432", null)]
    [InlineData("http://127.0.0.1:8080", null)]
    [InlineData("127.0.0.1", null)]
    public void EndPoint_LiteralIpAndPortOnly_ParsedOnce(string address, string? expected)
    {
        var backend = new BackendState("p", address, 1, new FakeTimeProvider(), TimeSpan.FromSeconds(10));

        Assert.Equal(expected is null ? null : IPEndPoint.Parse(expected), backend.EndPoint);
    }
}

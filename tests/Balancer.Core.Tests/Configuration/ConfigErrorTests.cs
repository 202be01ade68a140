using Balancer.Core.Configuration;

namespace Balancer.Core.Tests.Configuration;

public sealed class ConfigErrorTests
{
    [Fact]
    public void ToString_Error_NamesFileLineColumnAndPath()
    {
        var error = new ConfigError("config/balancer.json", 14, 9, "pools.web.backends[1].address", "'http//x' is not an absolute http(s) URI");

        Assert.Equal("config/balancer.json:14:9 pools.web.backends[1].address: 'http//x' is not an absolute http(s) URI", error.ToString());
    }

    [Fact]
    public void ToString_Warning_SaysWarning()
    {
        var warning = new ConfigError("c.json", 3, 5, "pools.db", "pool is not used by any listener", ConfigErrorSeverity.Warning);

        Assert.Equal("c.json:3:5 pools.db: warning: pool is not used by any listener", warning.ToString());
        Assert.False(warning.IsError);
    }

    [Fact]
    public void ToString_WholeFileProblem_OmitsPosition()
    {
        Assert.Equal("c.json: no such file", new ConfigError("c.json", 0, 0, "", "no such file").ToString());
    }
}

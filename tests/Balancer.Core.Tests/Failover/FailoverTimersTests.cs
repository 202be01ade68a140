using Balancer.Core.Failover;

namespace Balancer.Core.Tests.Failover;

public class FailoverTimersTests
{
    // RFC 5798 §6.1 with the numbers docs/failover.md quotes.
    [Theory]
    [InlineData(1000, 100, 609.375, 3609.375)]
    [InlineData(1000, 150, 414.0625, 3414.0625)]
    [InlineData(1000, 200, 218.75, 3218.75)]
    [InlineData(1000, 254, 7.8125, 3007.8125)]
    [InlineData(1000, 255, 3.90625, 3003.90625)]
    [InlineData(100, 100, 60.9375, 360.9375)]
    [InlineData(100, 150, 41.40625, 341.40625)]
    [InlineData(100, 200, 21.875, 321.875)]
    [InlineData(100, 254, 0.78125, 300.78125)]
    public void MasterDownInterval_RfcFormula_MatchesTable(int intervalMs, int priority, double skewMs, double downMs)
    {
        var interval = TimeSpan.FromMilliseconds(intervalMs);

        Assert.Equal(TimeSpan.FromMilliseconds(skewMs), FailoverTimers.SkewTime(priority, interval));
        Assert.Equal(TimeSpan.FromMilliseconds(downMs), FailoverTimers.MasterDownInterval(priority, interval));
    }
}

using Balancer.Core.Model;

namespace Balancer.Core.Tests.Model;

public sealed class LatencyHistogramTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 3)]
    [InlineData(4, 4)]
    [InlineData(7, 7)]
    [InlineData(8, 8)]
    [InlineData(9, 8)]
    [InlineData(10, 9)]
    [InlineData(long.MaxValue, LatencyHistogram.BucketCount - 1)]
    public void BucketOf_LogLinearLayout(long microseconds, int bucket) => Assert.Equal(bucket, LatencyHistogram.BucketOf(microseconds));

    [Theory]
    [InlineData(1)]
    [InlineData(150)]
    [InlineData(2_345)]
    [InlineData(87_000)]
    [InlineData(9_000_000)]
    public void MiddleOfItsBucket_WithinAnEighthOfTheDuration(long microseconds)
    {
        var middle = LatencyHistogram.MiddleMilliseconds(LatencyHistogram.BucketOf(microseconds)) * 1000;

        Assert.InRange(middle, microseconds * 0.875, microseconds * 1.125);
    }

    [Fact]
    public void Quantile_OfAWindow_NearestRank()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 98; i++)
        {
            histogram.Record(TimeSpan.FromMilliseconds(10));
        }

        histogram.Record(TimeSpan.FromMilliseconds(400));
        histogram.Record(TimeSpan.FromMilliseconds(400));
        var counts = new long[LatencyHistogram.BucketCount];
        histogram.CopyTo(counts);

        Assert.InRange(LatencyHistogram.Quantile(counts, 100, 0.5), 9, 11);
        Assert.InRange(LatencyHistogram.Quantile(counts, 100, 0.98), 9, 11);
        Assert.InRange(LatencyHistogram.Quantile(counts, 100, 0.99), 360, 440);
        Assert.True(double.IsNaN(LatencyHistogram.Quantile(new long[LatencyHistogram.BucketCount], 0, 0.5)));
    }
}

using Balancer.Core.LoadBalancing;

namespace Balancer.Core.Tests.LoadBalancing;

public sealed class WeightedDrawTests
{
    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.16, 0)]
    [InlineData(1 / 6.0, 1)]
    [InlineData(0.49, 1)]
    [InlineData(0.5, 2)]
    [InlineData(0.999999, 2)]
    [InlineData(1.0, 2)]
    public void Draw_Weights123_MapsUniformToInterval(double u, int expected)
    {
        var draw = new WeightedDraw([1, 2, 3]);

        Assert.Equal(expected, draw.Draw(u));
    }

    [Fact]
    public void Draw_ManyBackends_EachIntervalMapsToItsIndex()
    {
        var weights = Enumerable.Range(1, 37).Select(i => (double)i).ToArray();
        var draw = new WeightedDraw(weights);
        var total = weights.Sum();
        var start = 0.0;

        for (var i = 0; i < weights.Length; i++)
        {
            Assert.Equal(i, draw.Draw((start + (weights[i] / 2)) / total));
            start += weights[i];
        }
    }

    [Fact]
    public void DrawTwo_SkewedWeights_AlwaysDistinctAndWeighted()
    {
        var draw = new WeightedDraw([1, 1, 98]);
        var random = new Random(3);
        var seconds = new int[3];

        for (var i = 0; i < 10_000; i++)
        {
            var (first, second) = draw.DrawTwo(random.NextDouble(), random.NextDouble());
            Assert.NotEqual(first, second);
            seconds[second]++;
        }

        // When the heavy one is drawn first, the second is a fair coin between the light two.
        Assert.InRange(seconds[0] / (double)(seconds[0] + seconds[1]), 0.45, 0.55);
    }

    [Fact]
    public void TwoUniforms_ManyDraws_BothInUnitIntervalWithMeanHalf()
    {
        var random = new Random(1);
        double sum1 = 0, sum2 = 0;

        for (var i = 0; i < 10_000; i++)
        {
            var (u1, u2) = WeightedDraw.TwoUniforms(random);
            Assert.InRange(u1, 0, 0.9999999999);
            Assert.InRange(u2, 0, 0.9999999999);
            sum1 += u1;
            sum2 += u2;
        }

        Assert.InRange(sum1 / 10_000, 0.49, 0.51);
        Assert.InRange(sum2 / 10_000, 0.49, 0.51);
    }
}

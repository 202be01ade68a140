using Balancer.Core.LoadBalancing;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.LoadBalancing;

public sealed class PeakEwmaTests
{
    private static readonly TimeSpan Tau = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void CurrentMilliseconds_NoSamples_IsZero()
    {
        var ewma = new PeakEwma(_time, Tau);

        Assert.False(ewma.HasSamples);
        Assert.Equal(0, ewma.CurrentMilliseconds);
    }

    [Fact]
    public void Observe_SlowerSample_RisesAtOnce()
    {
        var ewma = new PeakEwma(_time, Tau);
        ewma.Observe(TimeSpan.FromMilliseconds(10));
        _time.Advance(TimeSpan.FromMilliseconds(1));

        ewma.Observe(TimeSpan.FromMilliseconds(200));

        Assert.Equal(200, ewma.CurrentMilliseconds, 6);
    }

    [Fact]
    public void CurrentMilliseconds_AfterTau_DecaysToOneOverE()
    {
        var ewma = new PeakEwma(_time, Tau);
        ewma.Observe(TimeSpan.FromMilliseconds(100));

        _time.Advance(Tau);

        Assert.Equal(100 * Math.Exp(-1), ewma.CurrentMilliseconds, 6);
        _time.Advance(Tau);
        Assert.Equal(100 * Math.Exp(-2), ewma.CurrentMilliseconds, 6);
    }

    [Fact]
    public void Observe_SampleAboveDecayedEstimate_ReplacesIt()
    {
        var ewma = new PeakEwma(_time, Tau);
        ewma.Observe(TimeSpan.FromMilliseconds(100));
        _time.Advance(3 * Tau);

        // Readers see about 5 ms now, so 50 ms is a new peak, not something to blend with 100.
        ewma.Observe(TimeSpan.FromMilliseconds(50));

        Assert.Equal(50, ewma.CurrentMilliseconds, 6);
    }

    [Fact]
    public void Observe_FasterSample_BlendsByElapsedTime()
    {
        var ewma = new PeakEwma(_time, Tau);
        ewma.Observe(TimeSpan.FromMilliseconds(100));
        _time.Advance(TimeSpan.FromSeconds(1));

        ewma.Observe(TimeSpan.FromMilliseconds(1));

        var w = Math.Exp(-0.1);
        Assert.Equal((100 * w) + (1 * (1 - w)), ewma.CurrentMilliseconds, 6);
    }

    [Fact]
    public void Observe_SteadyFasterSamples_ConvergeWithinFewTau()
    {
        var ewma = new PeakEwma(_time, Tau);
        ewma.Observe(TimeSpan.FromMilliseconds(100));

        for (var i = 0; i < 6_000; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            ewma.Observe(TimeSpan.FromMilliseconds(10));
        }

        // Six tau later the old peak weighs 90 ms × e^-6 ≈ 0.2 ms.
        Assert.InRange(ewma.CurrentMilliseconds, 10, 10.5);
    }

    [Fact]
    public void RatioTo_SampledAtDifferentTimes_EqualsRatioOfCurrentEstimates()
    {
        var slow = new PeakEwma(_time, Tau);
        var fast = new PeakEwma(_time, Tau);
        slow.Observe(TimeSpan.FromMilliseconds(100));
        _time.Advance(Tau);
        fast.Observe(TimeSpan.FromMilliseconds(10));
        _time.Advance(TimeSpan.FromSeconds(3));

        var expected = slow.CurrentMilliseconds / fast.CurrentMilliseconds;

        Assert.Equal(expected, slow.RatioTo(fast, 0.001), 9);
        Assert.Equal(1 / expected, fast.RatioTo(slow, 0.001), 9);
    }
}

namespace Balancer.Core.LoadBalancing;

/// <summary>
/// Peak-EWMA latency estimate (Finagle's <c>PeakEwma</c>, tower's <c>peak_ewma.rs</c>):
/// jumps at once to a sample above the estimate, otherwise moves towards samples as an
/// exponentially weighted moving average, and decays towards zero with time constant
/// <c>tau</c> while no samples arrive, so a backend that was slow once is tried again.
/// </summary>
/// <remarks>
/// Lock-free: the estimate is a double stored as bits and updated with compare-and-swap; the
/// timestamp is written after it. A race between two samples can only blur one update of a
/// heuristic, never corrupt it. Reads write nothing.
/// </remarks>
public sealed class PeakEwma
{
    private readonly TimeProvider _time;
    private readonly double _tauTicks;
    private long _costBits;      // double, in milliseconds
    private long _stamp;         // TimeProvider timestamp of the last sample
    private int _hasSamples;

    /// <summary>Creates an estimator with decay time constant <paramref name="decayTime"/>.</summary>
    public PeakEwma(TimeProvider time, TimeSpan decayTime)
    {
        _time = time;
        _tauTicks = Math.Max(1, decayTime.TotalSeconds * time.TimestampFrequency);
        _stamp = time.GetTimestamp();
    }

    /// <summary>True once at least one sample was observed.</summary>
    public bool HasSamples => Volatile.Read(ref _hasSamples) != 0;

    /// <summary>The estimate in milliseconds now, decayed for the time since the last sample.</summary>
    public double CurrentMilliseconds
    {
        get
        {
            var cost = BitConverter.Int64BitsToDouble(Volatile.Read(ref _costBits));
            var elapsed = _time.GetTimestamp() - Volatile.Read(ref _stamp);
            return elapsed <= 0 ? cost : cost * Math.Exp(-elapsed / _tauTicks);
        }
    }

    /// <summary>
    /// This estimate divided by <paramref name="other"/>'s, both read at the same instant, each
    /// raised to at least <paramref name="floor"/> ms first. Needs no clock: decaying both to the
    /// same now multiplies each by exp(-now / tau), which cancels, leaving only the gap between
    /// their last samples. (Reading the clock costs ~100 ns on some VMs, more than a pick.)
    /// Both estimators must share one decay time, as the backends of one pool do.
    /// </summary>
    internal double RatioTo(PeakEwma other, double floor)
    {
        var cost = Math.Max(floor, BitConverter.Int64BitsToDouble(Volatile.Read(ref _costBits)));
        var otherCost = Math.Max(floor, BitConverter.Int64BitsToDouble(Volatile.Read(ref other._costBits)));
        var gap = Volatile.Read(ref _stamp) - Volatile.Read(ref other._stamp);
        // Overflow to infinity (other sampled long after this) still orders correctly.
        return cost / otherCost * Math.Exp(gap / _tauTicks);
    }

    /// <summary>Records one response time.</summary>
    public void Observe(TimeSpan sample)
    {
        var rtt = Math.Max(0, sample.TotalMilliseconds);
        var now = _time.GetTimestamp();
        var elapsed = Math.Max(0, now - Volatile.Read(ref _stamp));
        var w = Math.Exp(-elapsed / _tauTicks);
        while (true)
        {
            var oldBits = Volatile.Read(ref _costBits);
            var cost = BitConverter.Int64BitsToDouble(oldBits);
            // Peak sensitivity: a sample slower than the estimate readers see now replaces it at
            // once. Finagle and tower store the decay on every read (get = observe(0)), so they
            // compare against the decayed value; our reads write nothing, so we decay here, else
            // a stale old peak would be blended into a new one after an idle spell.
            // Otherwise the sample takes weight 1 - w for the time since the last one: the
            // decayed read stood for "zero cost meanwhile", and a real sample replaces that zero.
            var next = !HasSamples || rtt > cost * w ? rtt : (cost * w) + (rtt * (1 - w));
            if (Interlocked.CompareExchange(ref _costBits, BitConverter.DoubleToInt64Bits(next), oldBits) == oldBits)
            {
                break;
            }
        }

        Volatile.Write(ref _stamp, now);
        Volatile.Write(ref _hasSamples, 1);
    }
}

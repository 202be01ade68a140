using System.Numerics;

namespace Balancer.Core.Model;

/// <summary>
/// Durations counted into log-linear buckets, for the dashboard's p50 and p99 per second: four buckets per power of two
/// of microseconds (HdrHistogram's layout with two sub-bucket bits), so a quantile read from a bucket's middle is within
/// ±12.5 % of the true value, from 1 µs to about 134 s. Recording is one interlocked increment, no lock, no allocation;
/// readers copy the counts and subtract an earlier copy to get the durations of a window.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Buckets 0–3 hold 0–3 µs exactly; then four per power of two up to 2^27 µs; the last also holds anything longer.</summary>
    public const int BucketCount = 104;

    private readonly long[] _counts = new long[BucketCount];

    /// <summary>Counts one duration.</summary>
    public void Record(TimeSpan duration) => Interlocked.Increment(ref _counts[BucketOf(duration.Ticks / TimeSpan.TicksPerMicrosecond)]);

    /// <summary>Copies the counts so far into <paramref name="target"/> (at least <see cref="BucketCount"/> long).</summary>
    public void CopyTo(Span<long> target)
    {
        for (var i = 0; i < BucketCount; i++)
        {
            target[i] = Volatile.Read(ref _counts[i]);
        }
    }

    /// <summary>The bucket of a duration in microseconds.</summary>
    internal static int BucketOf(long microseconds)
    {
        if (microseconds < 4)
        {
            return (int)Math.Max(0, microseconds);
        }

        var log2 = BitOperations.Log2((ulong)microseconds);
        var sub = (int)(microseconds >> (log2 - 2)) & 3;
        return Math.Min(BucketCount - 1, ((log2 - 1) * 4) + sub);
    }

    /// <summary>The middle of a bucket, in milliseconds.</summary>
    internal static double MiddleMilliseconds(int bucket)
    {
        if (bucket < 4)
        {
            return bucket / 1000.0;
        }

        var log2 = (bucket / 4) + 1;
        var sub = bucket % 4;
        var lower = (4L + sub) << (log2 - 2);
        var width = 1L << (log2 - 2);
        return (lower + (width / 2.0)) / 1000.0;
    }

    /// <summary>
    /// The <paramref name="quantile"/> (0–1) of the durations counted in <paramref name="counts"/> (a window: later counts
    /// minus earlier ones), in milliseconds; NaN when the window holds none.
    /// </summary>
    public static double Quantile(ReadOnlySpan<long> counts, long total, double quantile)
    {
        if (total <= 0)
        {
            return double.NaN;
        }

        // The nearest-rank definition: the smallest duration with at least that share of the counts at or below it.
        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return MiddleMilliseconds(i);
            }
        }

        return MiddleMilliseconds(counts.Length - 1);
    }
}

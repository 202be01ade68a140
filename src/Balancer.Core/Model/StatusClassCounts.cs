namespace Balancer.Core.Model;

/// <summary>
/// Responses counted by status class (1xx … 5xx), lock-free: what <c>balancer_requests_total{status_class}</c> shows,
/// every class from 0 on, so an alert on its increase fires at the first one.
/// </summary>
public sealed class StatusClassCounts
{
    /// <summary>The label of each class, by index.</summary>
    public static readonly string[] Names = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private readonly long[] _counts = new long[5];

    /// <summary>Counts one response of <paramref name="status"/> (below 200 counts as 1xx, 500 and above as 5xx).</summary>
    public void Count(int status) => Interlocked.Increment(ref _counts[Math.Clamp((status / 100) - 1, 0, 4)]);

    /// <summary>Responses of class <paramref name="index"/> (0 = 1xx … 4 = 5xx).</summary>
    public long this[int index] => Interlocked.Read(ref _counts[index]);
}

namespace Balancer.Core.History;

/// <summary>
/// One value per sample of a <see cref="TrafficHistory"/>, in a ring as long as the history: sample <c>n</c> lives in
/// slot <c>n % capacity</c>. Starts all NaN (no data), so a series added late shows a gap before it, not zeros.
/// </summary>
public sealed class Series
{
    private readonly float[] _values;

    internal Series(int capacity)
    {
        _values = new float[capacity];
        Array.Fill(_values, float.NaN);
    }

    /// <summary>The value of sample <paramref name="sequence"/>; NaN when there was none (no data, or no traffic to measure).</summary>
    public float this[long sequence] => _values[sequence % _values.Length];

    internal void Write(long sequence, double value) => _values[sequence % _values.Length] = (float)value;
}

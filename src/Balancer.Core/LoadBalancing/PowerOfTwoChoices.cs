using System.Runtime.CompilerServices;
using Balancer.Core.Model;

namespace Balancer.Core.LoadBalancing;

/// <summary>
/// Power of two choices: draw two distinct backends (weighted) and send the request to the less
/// loaded, load being (in-flight + 1) / weight. Mitzenmacher, "The Power of Two Choices in
/// Randomized Load Balancing" (2001): two random choices cut the worst queue from
/// O(log n / log log n) to O(log log n), while reading only two backends' counters.
/// </summary>
internal sealed class PowerOfTwoChoices(Random random) : IBalancingAlgorithm
{
    public string Name => BalancingAlgorithms.PowerOfTwo;

    public object? Prepare(BackendState[] available, double[] weights) => new WeightedDraw(weights);

    public BackendState Pick(PoolSnapshot snapshot)
    {
        var available = snapshot.Available;
        if (available.Length == 1)
        {
            return available[0];
        }

        var (u1, u2) = WeightedDraw.TwoUniforms(random);
        var (a, b) = ((WeightedDraw)snapshot.AlgorithmData!).DrawTwo(u1, u2);
        return LessLoaded(snapshot, a, b, costRatio: 1);
    }

    /// <summary>
    /// Of backends <paramref name="a"/> and <paramref name="b"/>, the one with the lower
    /// cost × (in-flight + 1) / weight, where <paramref name="costRatio"/> is a's cost per request
    /// over b's (1 when only load counts); a on a tie. The +1 counts the request being placed, so
    /// at equal in-flight the heavier backend wins instead of a coin toss.
    /// </summary>
    internal static BackendState LessLoaded(PoolSnapshot snapshot, int a, int b, double costRatio)
    {
        var available = snapshot.Available;
        var weights = snapshot.Weights;
        // costRatio × (inA + 1) / wA > (inB + 1) / wB, multiplied out: no division. Picks a or b
        // by arithmetic: with near-equal loads a branch here would mispredict half the time.
        var bIsLess = Unsafe.BitCast<bool, byte>(costRatio * (available[a].InFlight + 1.0) * weights[b] > (available[b].InFlight + 1.0) * weights[a]);
        return available[a + ((b - a) & -bIsLess)];
    }
}

using Balancer.Core.Grpc;

namespace Balancer.Core.Model;

/// <summary>
/// gRPC calls counted by how they ended (<c>grpc-status</c> 0–16), lock-free: what
/// <c>balancer_grpc_calls_total{grpc_code}</c> shows.
/// </summary>
public sealed class GrpcStatusCounts
{
    private readonly long[] _counts = new long[GrpcStatusCodes.Names.Count];

    /// <summary>Counts one call that ended with <paramref name="status"/> (a code outside 0–16 counts as UNKNOWN, as clients read it).</summary>
    public void Count(int status) =>
        Interlocked.Increment(ref _counts[(uint)status < (uint)_counts.Length ? status : GrpcStatusCodes.Unknown]);

    /// <summary>Calls that ended with code <paramref name="status"/>.</summary>
    public long this[int status] => Interlocked.Read(ref _counts[status]);
}

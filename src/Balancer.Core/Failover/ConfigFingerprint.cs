using System.Security.Cryptography;

namespace Balancer.Core.Failover;

/// <summary>The config hash carried in adverts, so that each node can see its peer runs a different config.</summary>
public static class ConfigFingerprint
{
    /// <summary>The first 16 bytes of SHA-256 over <paramref name="canonicalConfig"/>, big-endian.</summary>
    /// <remarks>What is hashed is the caller's choice; both nodes must hash the same canonical form.</remarks>
    public static UInt128 Compute(ReadOnlySpan<byte> canonicalConfig)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(canonicalConfig, digest);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(digest);
    }
}

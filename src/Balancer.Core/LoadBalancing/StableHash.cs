using System.Buffers.Binary;
using System.Net;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Balancer.Core.LoadBalancing;

/// <summary>
/// A 64-bit hash that is the same in every process and on every machine (unlike <see cref="string.GetHashCode()"/>,
/// which .NET seeds per process): consistent hashing must send a key to the same backend on both nodes of a pair and
/// after a restart. Blocks of 8 bytes are mixed by multiply-rotate and the result goes through the MurmurHash3
/// 64-bit finalizer (Appleby, public domain), whose avalanche spreads near-identical keys (10.0.0.1, 10.0.0.2).
/// Not cryptographic: keys that must resist engineered collisions use a secret <paramref name="seed"/>.
/// </summary>
public static class StableHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4F;

    /// <summary>Hashes <paramref name="data"/>.</summary>
    public static ulong Hash(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        var h = seed ^ ((ulong)data.Length * Prime1);
        while (data.Length >= 8)
        {
            h = Mix(h, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        if (data.Length > 0)
        {
            Span<byte> tail = stackalloc byte[8];
            tail.Clear();
            data.CopyTo(tail);
            h = Mix(h, BinaryPrimitives.ReadUInt64LittleEndian(tail));
        }

        return Finalize(h);
    }

    /// <summary>Hashes the UTF-16 code units of <paramref name="text"/> as little-endian bytes (the same on every machine .NET runs on).</summary>
    public static ulong Hash(ReadOnlySpan<char> text, ulong seed = 0) =>
        BitConverter.IsLittleEndian ? Hash(MemoryMarshal.AsBytes(text), seed) : HashBigEndian(text, seed);

    /// <summary>
    /// Hashes an IP address's bytes (an IPv4-mapped IPv6 address as its IPv4 address, so a dual-stack listener keys a
    /// client as an IPv4 one does); false for no address.
    /// </summary>
    public static bool TryHash(IPAddress? address, ulong seed, out ulong hash)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address is null || !address.TryWriteBytes(bytes, out var written))
        {
            hash = 0;
            return false;
        }

        hash = written == 16 && address.IsIPv4MappedToIPv6 ? Hash(bytes[12..16], seed) : Hash(bytes[..written], seed);
        return true;
    }

    /// <summary>The MurmurHash3 fmix64 finalizer.</summary>
    internal static ulong Finalize(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCD;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53;
        h ^= h >> 33;
        return h;
    }

    private static ulong Mix(ulong h, ulong block) => (BitOperations.RotateLeft(h ^ (block * Prime2), 31) * Prime1) + Prime2;

    private static ulong HashBigEndian(ReadOnlySpan<char> text, ulong seed)
    {
        var bytes = new byte[text.Length * 2];
        for (var i = 0; i < text.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), text[i]);
        }

        return Hash(bytes, seed);
    }
}

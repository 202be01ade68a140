using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Balancer.Core.Failover;

/// <summary>
/// The shared secrets of a pair: the first signs this node's adverts, every one verifies the peer's, so that a key can
/// be rotated without a moment in which the nodes reject each other (docs/failover.md, "Rotating the key"). Each key is
/// known on the wire by its <see cref="IdOf">key id</see>, so a receiver picks the key without trying each.
/// </summary>
public sealed class FailoverKeyRing
{
    private readonly byte[][] _keys;
    private readonly uint[] _ids;

    /// <summary>Makes a ring of one or two keys, the signing key first.</summary>
    /// <exception cref="ArgumentException">No key, more than two, an empty one, or two with the same key id.</exception>
    public FailoverKeyRing(IReadOnlyList<byte[]> keys)
    {
        if (keys.Count is < 1 or > 2 || keys.Any(k => k.Length == 0))
        {
            throw new ArgumentException("A key ring holds one or two non-empty keys.", nameof(keys));
        }

        _keys = [.. keys.Select(k => k.ToArray())];
        _ids = [.. _keys.Select(IdOf)];
        if (_ids.Distinct().Count() != _ids.Length)
        {
            throw new ArgumentException("The two keys have the same key id: they are the same key.", nameof(keys));
        }
    }

    /// <summary>A ring of one key.</summary>
    public FailoverKeyRing(ReadOnlySpan<byte> key)
        : this([key.ToArray()])
    {
    }

    /// <summary>The key adverts are signed with: the first line of the key file.</summary>
    public ReadOnlySpan<byte> SigningKey => _keys[0];

    /// <summary>The key id of <see cref="SigningKey"/>.</summary>
    public uint SigningKeyId => _ids[0];

    /// <summary>The key ids of every key, in file order.</summary>
    public IReadOnlyList<uint> KeyIds => _ids;

    /// <summary>
    /// The key id of <paramref name="key"/>: the first 4 bytes of HMAC-SHA256(key, "balancer failover key id"). It names
    /// the key on the wire and in <c>/status</c> and says nothing useful about the key itself.
    /// </summary>
    public static uint IdOf(byte[] key)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, "balancer failover key id"u8, mac);
        return BinaryPrimitives.ReadUInt32BigEndian(mac);
    }

    /// <summary>The key whose id is <paramref name="keyId"/> and its line in the file (1 or 2); false when the ring has none.</summary>
    public bool TryFind(uint keyId, out byte[] key, out int slot)
    {
        for (var i = 0; i < _ids.Length; i++)
        {
            if (_ids[i] == keyId)
            {
                (key, slot) = (_keys[i], i + 1);
                return true;
            }
        }

        (key, slot) = ([], 0);
        return false;
    }

    /// <summary>True when both rings hold the same keys in the same order.</summary>
    public bool SameAs(FailoverKeyRing other) => _ids.AsSpan().SequenceEqual(other._ids);

    /// <summary>The key ids as <c>/status</c> writes them: 8 hex digits each.</summary>
    public static string Format(uint keyId) => keyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
}

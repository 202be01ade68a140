using System.Buffers.Binary;
using System.Security.Cryptography;
using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.Failover;

public class AdvertCodecTests
{
    private static readonly FailoverKeyRing _keys = new(InMemoryFailoverLink.Key);

    internal static readonly AdvertPacket Sample = new(
        "lb1", FailoverState.Master, 150, TimeSpan.FromSeconds(1), 0x0102030405060708, 42, (UInt128)0xAABB << 64 | 0xCCDD,
        "web", 0x1112131415161718, 1_765_000_000_123);

    internal static byte[] Encode(AdvertPacket packet, byte[]? key = null)
    {
        var buffer = new byte[AdvertCodec.MaxLength];
        return buffer[..AdvertCodec.Encode(packet, key is null ? _keys : new FailoverKeyRing(key), buffer)];
    }

    [Fact]
    public void Encode_Sample_MatchesDocumentedLayout()
    {
        var bytes = Encode(Sample);

        Assert.Equal(98 + 3 + 3, bytes.Length);
        Assert.Equal("BLB1"u8.ToArray(), bytes[..4]);
        Assert.Equal(new byte[] { 3, 1, 2, 150 }, bytes[4..8]);
        Assert.Equal(100, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(8)));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(10)));
        Assert.Equal(_keys.SigningKeyId, BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(12)));
        Assert.Equal(0x0102030405060708UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(16)));
        Assert.Equal(42UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(24)));
        Assert.Equal(0x1112131415161718UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(32)));
        Assert.Equal(1_765_000_000_123L, BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(40)));
        Assert.Equal(Sample.ConfigHash, BinaryPrimitives.ReadUInt128BigEndian(bytes.AsSpan(48)));
        Assert.Equal(3, bytes[64]);
        Assert.Equal("lb1"u8.ToArray(), bytes[65..68]);
        Assert.Equal(3, bytes[68]);
        Assert.Equal("web"u8.ToArray(), bytes[69..72]);
        Assert.Equal(HMACSHA256.HashData(InMemoryFailoverLink.Key, bytes[..72]), bytes[72..]);
    }

    [Theory]
    [InlineData("a", "default")]
    [InlineData("lb-2.example", "b")]
    [InlineData("nœud-été", "groupe-é")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123", "01234567890123456789012345678901")]
    public void TryDecode_Encoded_RoundTrips(string nodeId, string group)
    {
        var packet = Sample with { NodeId = nodeId, Group = group, Priority = 0, AdvertInterval = TimeSpan.FromMilliseconds(10) };

        var ok = AdvertCodec.TryDecode(Encode(packet), _keys, out var decoded, out var slot, out var error);

        Assert.True(ok);
        Assert.Equal((DecodeError.None, 1), (error, slot));
        Assert.Equal(packet, decoded);
    }

    [Fact]
    public void TryDecode_SignedWithTheSecondKeyOfTheRing_VerifiesAndSaysSlotTwo()
    {
        var rotatedIn = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        var ring = new FailoverKeyRing([InMemoryFailoverLink.Key, rotatedIn]);

        Assert.True(AdvertCodec.TryDecode(Encode(Sample, rotatedIn), ring, out _, out var slot, out _));
        Assert.Equal(2, slot);
    }

    [Fact]
    public void TryDecode_TruncatedAtEveryLength_FailsWithoutAccepting()
    {
        var bytes = Encode(Sample);
        for (var length = 0; length < bytes.Length; length++)
        {
            var ok = AdvertCodec.TryDecode(bytes.AsSpan(0, length), _keys, out var packet, out _, out var error);

            Assert.False(ok);
            Assert.Equal(default, packet);
            Assert.Contains(error, new[] { DecodeError.TooShort, DecodeError.BadLength });
        }
    }

    [Fact]
    public void TryDecode_ExtraTrailingByte_FailsAsBadLength()
    {
        var bytes = Encode(Sample);

        Assert.False(AdvertCodec.TryDecode([.. bytes, 0], _keys, out _, out _, out var error));
        Assert.Equal(DecodeError.BadLength, error);
    }

    [Fact]
    public void TryDecode_EachBitFlipped_Fails()
    {
        var bytes = Encode(Sample);
        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var flipped = (byte[])bytes.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));

            Assert.False(AdvertCodec.TryDecode(flipped, _keys, out _, out _, out var error), $"bit {bit} flipped was accepted");
            Assert.NotEqual(DecodeError.None, error);
        }
    }

    [Fact]
    public void TryDecode_KeyIdOfAKeyNotHeld_FailsAsUnknownKey()
    {
        var otherKey = (byte[])InMemoryFailoverLink.Key.Clone();
        otherKey[0] ^= 1;

        Assert.False(AdvertCodec.TryDecode(Encode(Sample, otherKey), _keys, out _, out _, out var error));
        Assert.Equal(DecodeError.UnknownKey, error);
    }

    [Fact]
    public void TryDecode_KnownKeyIdWrongMac_FailsAsBadMac()
    {
        var bytes = Encode(Sample);
        bytes[^1] ^= 1;

        Assert.False(AdvertCodec.TryDecode(bytes, _keys, out _, out _, out var error));
        Assert.Equal(DecodeError.BadMac, error);
    }

    [Theory]
    [InlineData(0, 0x58, DecodeError.BadMagic)]
    [InlineData(4, 1, DecodeError.BadVersion)]
    [InlineData(4, 2, DecodeError.BadVersion)] // a version-2 peer: before groups drove anything (#23)
    [InlineData(5, 2, DecodeError.BadType)]
    [InlineData(64, 4, DecodeError.BadLength)]
    [InlineData(64, 0, DecodeError.BadLength)]
    [InlineData(68, 0, DecodeError.BadLength)]
    [InlineData(68, 33, DecodeError.BadLength)]
    public void TryDecode_BadFraming_FailsWithReason(int offset, byte value, DecodeError expected)
    {
        var bytes = Encode(Sample);
        bytes[offset] = value;

        Assert.False(AdvertCodec.TryDecode(bytes, _keys, out _, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void TryDecode_VersionOneAdvert_FailsAsBadVersion()
    {
        // A version-1 advert of a node with a short id: 77 + 3 bytes, shorter than any version-2 advert.
        var v1 = new byte[80];
        "BLB1"u8.CopyTo(v1);
        v1[4] = 1;

        Assert.False(AdvertCodec.TryDecode(v1, _keys, out _, out _, out var error));
        Assert.Equal(DecodeError.BadVersion, error);
    }

    [Theory]
    [InlineData(6, 4)]     // state beyond Fault
    [InlineData(8, 0)]     // interval 0 (high byte; low byte also cleared below)
    [InlineData(10, 1)]    // reserved not zero
    [InlineData(31, 0)]    // sequence 0 (all its bytes cleared below)
    [InlineData(65, 0xFF)] // node id not UTF-8
    [InlineData(69, 0xFF)] // group not UTF-8
    public void TryDecode_AuthenticButBadField_FailsAsBadField(int offset, byte value)
    {
        var bytes = Encode(Sample);
        bytes[offset] = value;
        if (offset == 8)
        {
            bytes[9] = 0;
        }
        else if (offset == 31)
        {
            bytes.AsSpan(24, 8).Clear();
        }

        HMACSHA256.HashData(InMemoryFailoverLink.Key, bytes.AsSpan(0, 72), bytes.AsSpan(72)); // re-sign: only the field is wrong

        Assert.False(AdvertCodec.TryDecode(bytes, _keys, out _, out _, out var error));
        Assert.Equal(DecodeError.BadField, error);
    }

    [Fact]
    public void TryDecode_SeededRandomInput_NeverThrowsNorAccepts()
    {
        var random = new Random(5798);
        var valid = Encode(Sample);
        for (var i = 0; i < 5000; i++)
        {
            // Half pure noise, half a valid advert with a few random bytes changed.
            var bytes = i % 2 == 0 ? new byte[random.Next(0, 220)] : (byte[])valid.Clone();
            if (i % 2 == 0)
            {
                random.NextBytes(bytes);
            }
            else
            {
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                }
            }

            Assert.False(AdvertCodec.TryDecode(bytes, _keys, out _, out _, out _));
        }
    }

    [Fact]
    public void TryDecode_ForgedDatagram_AllocatesNothing()
    {
        var bytes = Encode(Sample);
        bytes[^1] ^= 1;
        AdvertCodec.TryDecode(bytes, _keys, out _, out _, out _); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        AdvertCodec.TryDecode(bytes, _keys, out _, out _, out _);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(65, 1)]
    [InlineData(1, 33)]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void Encode_NodeIdOrGroupOutOfRange_Throws(int idLength, int groupLength)
    {
        Assert.Throws<ArgumentException>(() => Encode(Sample with { NodeId = new string('x', idLength), Group = new string('g', groupLength) }));
    }

    [Fact]
    public void Encode_DestinationTooSmall_Throws()
    {
        Assert.Throws<ArgumentException>(() => AdvertCodec.Encode(Sample, _keys, new byte[103]));
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Core.Tests.Failover;

public class AdvertCodecTests
{
    private static readonly byte[] _key = InMemoryFailoverLink.Key;

    internal static readonly AdvertPacket Sample = new(
        "lb1", FailoverState.Master, 150, TimeSpan.FromSeconds(1), 0x0102030405060708, 42, (UInt128)0xAABB << 64 | 0xCCDD);

    internal static byte[] Encode(AdvertPacket packet, byte[]? key = null)
    {
        var buffer = new byte[AdvertCodec.MaxLength];
        return buffer[..AdvertCodec.Encode(packet, key ?? _key, buffer)];
    }

    [Fact]
    public void Encode_Sample_MatchesDocumentedLayout()
    {
        var bytes = Encode(Sample);

        Assert.Equal(77 + 3, bytes.Length);
        Assert.Equal("BLB1"u8.ToArray(), bytes[..4]);
        Assert.Equal(new byte[] { 1, 1, 2, 150 }, bytes[4..8]);
        Assert.Equal(100, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(8)));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(10)));
        Assert.Equal(0x0102030405060708UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(12)));
        Assert.Equal(42UL, BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(20)));
        Assert.Equal(Sample.ConfigHash, BinaryPrimitives.ReadUInt128BigEndian(bytes.AsSpan(28)));
        Assert.Equal(3, bytes[44]);
        Assert.Equal("lb1"u8.ToArray(), bytes[45..48]);
        Assert.Equal(HMACSHA256.HashData(_key, bytes[..48]), bytes[48..]);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("lb-2.example")]
    [InlineData("nœud-été")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
    public void TryDecode_Encoded_RoundTrips(string nodeId)
    {
        var packet = Sample with { NodeId = nodeId, Priority = 0, AdvertInterval = TimeSpan.FromMilliseconds(10) };

        var ok = AdvertCodec.TryDecode(Encode(packet), _key, out var decoded, out var error);

        Assert.True(ok);
        Assert.Equal(DecodeError.None, error);
        Assert.Equal(packet, decoded);
    }

    [Fact]
    public void TryDecode_TruncatedAtEveryLength_FailsAsTooShortOrBadLength()
    {
        var bytes = Encode(Sample);
        for (var length = 0; length < bytes.Length; length++)
        {
            var ok = AdvertCodec.TryDecode(bytes.AsSpan(0, length), _key, out var packet, out var error);

            Assert.False(ok);
            Assert.Equal(default, packet);
            Assert.Contains(error, new[] { DecodeError.TooShort, DecodeError.BadLength });
        }
    }

    [Fact]
    public void TryDecode_ExtraTrailingByte_FailsAsBadLength()
    {
        var bytes = Encode(Sample);

        Assert.False(AdvertCodec.TryDecode([.. bytes, 0], _key, out _, out var error));
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

            Assert.False(AdvertCodec.TryDecode(flipped, _key, out _, out var error), $"bit {bit} flipped was accepted");
            Assert.NotEqual(DecodeError.None, error);
        }
    }

    [Fact]
    public void TryDecode_WrongKey_FailsAsBadMac()
    {
        var otherKey = (byte[])_key.Clone();
        otherKey[0] ^= 1;

        Assert.False(AdvertCodec.TryDecode(Encode(Sample, otherKey), _key, out _, out var error));
        Assert.Equal(DecodeError.BadMac, error);
    }

    [Theory]
    [InlineData(0, 0x58, DecodeError.BadMagic)]
    [InlineData(4, 2, DecodeError.BadVersion)]
    [InlineData(5, 2, DecodeError.BadType)]
    [InlineData(44, 4, DecodeError.BadLength)]
    [InlineData(44, 0, DecodeError.BadLength)]
    public void TryDecode_BadFraming_FailsWithReason(int offset, byte value, DecodeError expected)
    {
        var bytes = Encode(Sample);
        bytes[offset] = value;

        Assert.False(AdvertCodec.TryDecode(bytes, _key, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(6, 4)]    // state beyond Fault
    [InlineData(8, 0)]    // interval 0 (high byte; low byte also cleared below)
    [InlineData(10, 1)]   // reserved not zero
    [InlineData(27, 0)]   // sequence 0 (all its bytes cleared below)
    [InlineData(45, 0xFF)] // node id not UTF-8
    public void TryDecode_AuthenticButBadField_FailsAsBadField(int offset, byte value)
    {
        var bytes = Encode(Sample);
        bytes[offset] = value;
        if (offset == 8)
        {
            bytes[9] = 0;
        }
        else if (offset == 27)
        {
            bytes.AsSpan(20, 8).Clear();
        }

        HMACSHA256.HashData(_key, bytes.AsSpan(0, 48), bytes.AsSpan(48)); // re-sign: only the field is wrong

        Assert.False(AdvertCodec.TryDecode(bytes, _key, out _, out var error));
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
            var bytes = i % 2 == 0 ? new byte[random.Next(0, 200)] : (byte[])valid.Clone();
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

            Assert.False(AdvertCodec.TryDecode(bytes, _key, out _, out _));
        }
    }

    [Fact]
    public void TryDecode_ForgedDatagram_AllocatesNothing()
    {
        var bytes = Encode(Sample, [1, 2, 3]);
        AdvertCodec.TryDecode(bytes, _key, out _, out _); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        AdvertCodec.TryDecode(bytes, _key, out _, out _);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Encode_NodeIdOver64Bytes_Throws()
    {
        Assert.Throws<ArgumentException>(() => Encode(Sample with { NodeId = new string('x', 65) }));
    }

    [Fact]
    public void Encode_DestinationTooSmall_Throws()
    {
        Assert.Throws<ArgumentException>(() => AdvertCodec.Encode(Sample, _key, new byte[79]));
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Balancer.Core.Failover;

/// <summary>
/// Writes and reads the advert datagram. All integers are big-endian (network byte order).
/// <list type="table">
/// <listheader><term>offset, size</term><description>field</description></listheader>
/// <item><term>0, 4</term><description>magic <c>BLB1</c> (0x42 0x4C 0x42 0x31)</description></item>
/// <item><term>4, 1</term><description>protocol version, 1</description></item>
/// <item><term>5, 1</term><description>message type, 1 = advert</description></item>
/// <item><term>6, 1</term><description>state: 0 init, 1 backup, 2 master, 3 fault</description></item>
/// <item><term>7, 1</term><description>priority 0–255; 0 = the sender resigns (RFC 5798 §5.2.4)</description></item>
/// <item><term>8, 2</term><description>advert interval in centiseconds, 1–65535 (RFC 5798 §5.2.7 uses centiseconds too)</description></item>
/// <item><term>10, 2</term><description>reserved, 0</description></item>
/// <item><term>12, 8</term><description>boot epoch: the sender's start time, Unix milliseconds</description></item>
/// <item><term>20, 8</term><description>sequence within the epoch, from 1</description></item>
/// <item><term>28, 16</term><description>config hash: first 16 bytes of SHA-256</description></item>
/// <item><term>44, 1</term><description>node-id length n, 1–64</description></item>
/// <item><term>45, n</term><description>node id, UTF-8</description></item>
/// <item><term>45+n, 32</term><description>HMAC-SHA256 over bytes 0 to 45+n, keyed by the shared secret</description></item>
/// </list>
/// The whole datagram is 77 + n bytes, 78 to 141.
/// </summary>
public static class AdvertCodec
{
    /// <summary>The longest advert, with a 64-byte node id.</summary>
    public const int MaxLength = HeaderLength + MaxNodeIdBytes + MacLength;

    /// <summary>The most UTF-8 bytes a node id may take.</summary>
    public const int MaxNodeIdBytes = 64;

    private const int HeaderLength = 45;
    private const int MacLength = 32;
    private const int MinLength = HeaderLength + 1 + MacLength;
    private const byte Version = 1;
    private const byte TypeAdvert = 1;
    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> Magic => "BLB1"u8;

    /// <summary>Writes <paramref name="packet"/> and its MAC to <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="ArgumentException">A field is out of range, or <paramref name="destination"/> is too small.</exception>
    public static int Encode(in AdvertPacket packet, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        var idLength = _strictUtf8.GetByteCount(packet.NodeId);
        var centiseconds = packet.AdvertInterval.Ticks / (TimeSpan.TicksPerMillisecond * 10);
        if (idLength is < 1 or > MaxNodeIdBytes || centiseconds is < 1 or > ushort.MaxValue
            || packet.Sequence == 0 || packet.State > FailoverState.Fault)
        {
            throw new ArgumentException("The advert has a field out of range.", nameof(packet));
        }

        var length = HeaderLength + idLength + MacLength;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination needs {length} bytes.", nameof(destination));
        }

        Magic.CopyTo(destination);
        destination[4] = Version;
        destination[5] = TypeAdvert;
        destination[6] = (byte)packet.State;
        destination[7] = packet.Priority;
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], (ushort)centiseconds);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], 0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[12..], packet.Epoch);
        BinaryPrimitives.WriteUInt64BigEndian(destination[20..], packet.Sequence);
        BinaryPrimitives.WriteUInt128BigEndian(destination[28..], packet.ConfigHash);
        destination[44] = (byte)idLength;
        _strictUtf8.GetBytes(packet.NodeId, destination.Slice(HeaderLength, idLength));
        HMACSHA256.HashData(key, destination[..(HeaderLength + idLength)], destination.Slice(HeaderLength + idLength, MacLength));
        return length;
    }

    /// <summary>
    /// Reads and authenticates a datagram. Never throws; on false, <paramref name="error"/> says why and
    /// <paramref name="packet"/> is default. Allocates only the node-id string, and only for authentic datagrams.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> key, out AdvertPacket packet, out DecodeError error)
    {
        packet = default;
        error = CheckFraming(datagram);
        if (error != DecodeError.None)
        {
            return false;
        }

        var signedLength = HeaderLength + datagram[44];
        Span<byte> expected = stackalloc byte[MacLength];
        HMACSHA256.HashData(key, datagram[..signedLength], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, datagram[signedLength..]))
        {
            error = DecodeError.BadMac;
            return false;
        }

        // Checked after the MAC so that a forger learns nothing from which error comes back.
        var state = datagram[6];
        var centiseconds = BinaryPrimitives.ReadUInt16BigEndian(datagram[8..]);
        var reserved = BinaryPrimitives.ReadUInt16BigEndian(datagram[10..]);
        var sequence = BinaryPrimitives.ReadUInt64BigEndian(datagram[20..]);
        var nodeId = datagram[HeaderLength..signedLength];
        if (state > (byte)FailoverState.Fault || centiseconds == 0 || reserved != 0 || sequence == 0 || !Utf8.IsValid(nodeId))
        {
            error = DecodeError.BadField;
            return false;
        }

        packet = new AdvertPacket(
            Encoding.UTF8.GetString(nodeId),
            (FailoverState)state,
            datagram[7],
            TimeSpan.FromMilliseconds(centiseconds * 10),
            BinaryPrimitives.ReadUInt64BigEndian(datagram[12..]),
            sequence,
            BinaryPrimitives.ReadUInt128BigEndian(datagram[28..]));
        return true;
    }

    private static DecodeError CheckFraming(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < MinLength)
        {
            return DecodeError.TooShort;
        }

        if (!datagram[..4].SequenceEqual(Magic))
        {
            return DecodeError.BadMagic;
        }

        if (datagram[4] != Version)
        {
            return DecodeError.BadVersion;
        }

        if (datagram[5] != TypeAdvert)
        {
            return DecodeError.BadType;
        }

        var idLength = datagram[44];
        return idLength is < 1 or > MaxNodeIdBytes || datagram.Length != HeaderLength + idLength + MacLength
            ? DecodeError.BadLength
            : DecodeError.None;
    }
}

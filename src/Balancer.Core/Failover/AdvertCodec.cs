using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Balancer.Core.Failover;

/// <summary>
/// Writes and reads the advert datagram, protocol version 3 (#23: the group name drives the receiver's group; version 2
/// carried it but a version-2 node ignores it, so the two must not mix). All integers are big-endian (network byte order).
/// <list type="table">
/// <listheader><term>offset, size</term><description>field</description></listheader>
/// <item><term>0, 4</term><description>magic <c>BLB1</c> (0x42 0x4C 0x42 0x31)</description></item>
/// <item><term>4, 1</term><description>protocol version, 3</description></item>
/// <item><term>5, 1</term><description>message type, 1 = advert</description></item>
/// <item><term>6, 1</term><description>state: 0 init, 1 backup, 2 master, 3 fault</description></item>
/// <item><term>7, 1</term><description>priority 0–255; 0 from a master = it resigns (RFC 5798 §5.2.4)</description></item>
/// <item><term>8, 2</term><description>advert interval in centiseconds, 1–65535 (RFC 5798 §5.2.7 uses centiseconds too)</description></item>
/// <item><term>10, 2</term><description>reserved, 0</description></item>
/// <item><term>12, 4</term><description>key id of the key that made the MAC (<see cref="FailoverKeyRing.IdOf"/>)</description></item>
/// <item><term>16, 8</term><description>epoch: the sender's session, its start time or when its interface last came back, Unix milliseconds</description></item>
/// <item><term>24, 8</term><description>sequence, from 1, counting on across the sender's sessions</description></item>
/// <item><term>32, 8</term><description>echo: the receiver's epoch as the sender last heard it, 0 for none</description></item>
/// <item><term>40, 8</term><description>sent at: the sender's wall clock, Unix milliseconds</description></item>
/// <item><term>48, 16</term><description>config hash: first 16 bytes of SHA-256</description></item>
/// <item><term>64, 1</term><description>node-id length n, 1–64</description></item>
/// <item><term>65, n</term><description>node id, UTF-8</description></item>
/// <item><term>65+n, 1</term><description>group-name length g, 1–32</description></item>
/// <item><term>66+n, g</term><description>group name, UTF-8</description></item>
/// <item><term>66+n+g, 32</term><description>HMAC-SHA256 over bytes 0 to 66+n+g, keyed by the key named at offset 12</description></item>
/// </list>
/// The whole datagram is 98 + n + g bytes, 100 to 194.
/// </summary>
public static class AdvertCodec
{
    /// <summary>The protocol version this build speaks; a datagram with another is rejected as <see cref="DecodeError.BadVersion"/>.</summary>
    public const byte Version = 3;

    /// <summary>The longest advert, with a 64-byte node id and a 32-byte group name.</summary>
    public const int MaxLength = HeaderLength + 1 + MaxNodeIdBytes + 1 + MaxGroupBytes + MacLength;

    /// <summary>The most UTF-8 bytes a node id may take.</summary>
    public const int MaxNodeIdBytes = 64;

    /// <summary>The most UTF-8 bytes a group name may take.</summary>
    public const int MaxGroupBytes = 32;

    /// <summary>Offset of the protocol version byte, the same in every version.</summary>
    public const int VersionOffset = 4;

    private const int HeaderLength = 64;
    private const int MacLength = 32;
    private const int MinLength = HeaderLength + 1 + 1 + 1 + 1 + MacLength;
    private const byte TypeAdvert = 1;
    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> Magic => "BLB1"u8;

    /// <summary>Writes <paramref name="packet"/> and its MAC, made with <paramref name="ring"/>'s signing key; returns the bytes written.</summary>
    /// <exception cref="ArgumentException">A field is out of range, or <paramref name="destination"/> is too small.</exception>
    public static int Encode(in AdvertPacket packet, FailoverKeyRing ring, Span<byte> destination)
    {
        var idLength = _strictUtf8.GetByteCount(packet.NodeId);
        var groupLength = _strictUtf8.GetByteCount(packet.Group);
        var centiseconds = packet.AdvertInterval.Ticks / (TimeSpan.TicksPerMillisecond * 10);
        if (idLength is < 1 or > MaxNodeIdBytes || groupLength is < 1 or > MaxGroupBytes || centiseconds is < 1 or > ushort.MaxValue
            || packet.Sequence == 0 || packet.State > FailoverState.Fault)
        {
            throw new ArgumentException("The advert has a field out of range.", nameof(packet));
        }

        var signedLength = HeaderLength + 1 + idLength + 1 + groupLength;
        if (destination.Length < signedLength + MacLength)
        {
            throw new ArgumentException($"The destination needs {signedLength + MacLength} bytes.", nameof(destination));
        }

        Magic.CopyTo(destination);
        destination[4] = Version;
        destination[5] = TypeAdvert;
        destination[6] = (byte)packet.State;
        destination[7] = packet.Priority;
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], (ushort)centiseconds);
        BinaryPrimitives.WriteUInt16BigEndian(destination[10..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], ring.SigningKeyId);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], packet.Epoch);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], packet.Sequence);
        BinaryPrimitives.WriteUInt64BigEndian(destination[32..], packet.Echo);
        BinaryPrimitives.WriteInt64BigEndian(destination[40..], packet.SentAt);
        BinaryPrimitives.WriteUInt128BigEndian(destination[48..], packet.ConfigHash);
        destination[HeaderLength] = (byte)idLength;
        _strictUtf8.GetBytes(packet.NodeId, destination.Slice(HeaderLength + 1, idLength));
        destination[HeaderLength + 1 + idLength] = (byte)groupLength;
        _strictUtf8.GetBytes(packet.Group, destination.Slice(HeaderLength + 2 + idLength, groupLength));
        HMACSHA256.HashData(ring.SigningKey, destination[..signedLength], destination.Slice(signedLength, MacLength));
        return signedLength + MacLength;
    }

    /// <summary>
    /// Reads and authenticates a datagram with whichever key of <paramref name="ring"/> its key id names. Never throws;
    /// on false, <paramref name="error"/> says why and <paramref name="packet"/> is default. <paramref name="keySlot"/> is
    /// the line of that key in the key file (1 or 2), 0 when none. Allocates only the strings, and only for authentic
    /// datagrams; computes no MAC for one whose framing or key id is wrong.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, FailoverKeyRing ring, out AdvertPacket packet, out int keySlot, out DecodeError error)
    {
        packet = default;
        keySlot = 0;
        error = CheckFraming(datagram, out var signedLength);
        if (error != DecodeError.None)
        {
            return false;
        }

        error = Verify(datagram, BinaryPrimitives.ReadUInt32BigEndian(datagram[12..]), signedLength, ring, out var slot);
        if (error != DecodeError.None)
        {
            return false;
        }

        // Checked after the MAC, so that no field of a forged datagram is ever looked at.
        var state = datagram[6];
        var centiseconds = BinaryPrimitives.ReadUInt16BigEndian(datagram[8..]);
        var reserved = BinaryPrimitives.ReadUInt16BigEndian(datagram[10..]);
        var sequence = BinaryPrimitives.ReadUInt64BigEndian(datagram[24..]);
        var nodeId = datagram.Slice(HeaderLength + 1, datagram[HeaderLength]);
        var group = datagram[(HeaderLength + 2 + nodeId.Length)..signedLength];
        if (state > (byte)FailoverState.Fault || centiseconds == 0 || reserved != 0 || sequence == 0 || !Utf8.IsValid(nodeId) || !Utf8.IsValid(group))
        {
            error = DecodeError.BadField;
            return false;
        }

        packet = new AdvertPacket(
            Encoding.UTF8.GetString(nodeId),
            (FailoverState)state,
            datagram[7],
            TimeSpan.FromMilliseconds(centiseconds * 10),
            BinaryPrimitives.ReadUInt64BigEndian(datagram[16..]),
            sequence,
            BinaryPrimitives.ReadUInt128BigEndian(datagram[48..]),
            Encoding.UTF8.GetString(group),
            BinaryPrimitives.ReadUInt64BigEndian(datagram[32..]),
            BinaryPrimitives.ReadInt64BigEndian(datagram[40..]));
        keySlot = slot;
        return true;
    }

    /// <summary>
    /// Checks the HMAC-SHA256 that follows the first <paramref name="signedLength"/> bytes against the key of
    /// <paramref name="ring"/> named by <paramref name="keyId"/>, in constant time; <paramref name="slot"/> is its line.
    /// </summary>
    internal static DecodeError Verify(ReadOnlySpan<byte> datagram, uint keyId, int signedLength, FailoverKeyRing ring, out int slot)
    {
        if (!ring.TryFind(keyId, out var key, out slot))
        {
            return DecodeError.UnknownKey;
        }

        Span<byte> expected = stackalloc byte[MacLength];
        HMACSHA256.HashData(key, datagram[..signedLength], expected);
        return CryptographicOperations.FixedTimeEquals(expected, datagram[signedLength..]) ? DecodeError.None : DecodeError.BadMac;
    }

    private static DecodeError CheckFraming(ReadOnlySpan<byte> datagram, out int signedLength)
    {
        signedLength = 0;
        if (datagram.Length < MinLength)
        {
            return datagram.Length > VersionOffset && datagram[..4].SequenceEqual(Magic) && datagram[VersionOffset] != Version
                ? DecodeError.BadVersion // a version-1 advert is shorter than the shortest of version 2 and 3
                : DecodeError.TooShort;
        }

        if (!datagram[..4].SequenceEqual(Magic))
        {
            return DecodeError.BadMagic;
        }

        if (datagram[VersionOffset] != Version)
        {
            return DecodeError.BadVersion;
        }

        if (datagram[5] != TypeAdvert)
        {
            return DecodeError.BadType;
        }

        var idLength = datagram[HeaderLength];
        if (idLength is < 1 or > MaxNodeIdBytes || datagram.Length < HeaderLength + 2 + idLength + MacLength)
        {
            return DecodeError.BadLength;
        }

        var groupLength = datagram[HeaderLength + 1 + idLength];
        signedLength = HeaderLength + 2 + idLength + groupLength;
        return groupLength is < 1 or > MaxGroupBytes || datagram.Length != signedLength + MacLength ? DecodeError.BadLength : DecodeError.None;
    }
}

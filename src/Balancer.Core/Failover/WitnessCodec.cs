using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Balancer.Core.Failover;

/// <summary>
/// A question to the witness, or its answer (#23). <paramref name="NodeId"/>: in a query the asker, in an answer the
/// master the witness hears (empty when none). <paramref name="Epoch"/> and <paramref name="Sequence"/> are the
/// sender's, counted like an advert's (a node's queries share its advert sequence). An answer names the query it
/// answers by <paramref name="NonceEpoch"/> and <paramref name="NonceSequence"/> (the asker's epoch and the query's
/// sequence): the replay protection of answers. <paramref name="HeardAgo"/>: how long before answering the witness
/// last heard that master's advert; <paramref name="Priority"/>: the priority it carried.
/// </summary>
public readonly record struct WitnessMessage(
    bool IsAnswer, string NodeId, string Group, ulong Epoch, ulong Sequence, long SentAt,
    ulong NonceEpoch = 0, ulong NonceSequence = 0, TimeSpan HeardAgo = default, byte Priority = 0);

/// <summary>
/// The witness datagrams, protocol version 2 like adverts (same magic, version, key ids and HMAC-SHA256), big-endian:
/// 0 magic <c>BLB1</c> (4), 4 version 2, 5 type (2 query, 3 answer), 6 reserved 0 (2), 8 key id (4), 12 epoch (8),
/// 20 sequence (8), 28 sent at, Unix ms (8), 36 nonce epoch (8), 44 nonce sequence (8), 52 heard ago, ms (4,
/// 0xFFFFFFFF none), 56 priority (1), 57 node-id length n 0–64, node id, group length g 1–32, group, HMAC (32).
/// </summary>
public static class WitnessCodec
{
    /// <summary>The longest witness datagram.</summary>
    public const int MaxLength = HeaderLength + 1 + AdvertCodec.MaxNodeIdBytes + 1 + AdvertCodec.MaxGroupBytes + MacLength;

    private const int HeaderLength = 57;
    private const int MacLength = 32;
    private const byte TypeQuery = 2;
    private const byte TypeAnswer = 3;
    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> Magic => "BLB1"u8;

    /// <summary>True when <paramref name="datagram"/> is framed as a witness message (type 2 or 3); says nothing of its MAC.</summary>
    public static bool IsWitnessMessage(ReadOnlySpan<byte> datagram) =>
        datagram.Length > 5 && datagram[..4].SequenceEqual(Magic) && datagram[4] == AdvertCodec.Version && datagram[5] is TypeQuery or TypeAnswer;

    /// <summary>Writes <paramref name="message"/> signed with <paramref name="ring"/>'s first key; returns the bytes written.</summary>
    /// <exception cref="ArgumentException">A field is out of range.</exception>
    public static int Encode(in WitnessMessage message, FailoverKeyRing ring, Span<byte> destination)
    {
        var idLength = _strictUtf8.GetByteCount(message.NodeId);
        var groupLength = _strictUtf8.GetByteCount(message.Group);
        if (idLength > AdvertCodec.MaxNodeIdBytes || (idLength == 0 && !message.IsAnswer) || groupLength is < 1 or > AdvertCodec.MaxGroupBytes
            || message.Sequence == 0 || destination.Length < MaxLength)
        {
            throw new ArgumentException("The witness message has a field out of range.", nameof(message));
        }

        Magic.CopyTo(destination);
        destination[4] = AdvertCodec.Version;
        destination[5] = message.IsAnswer ? TypeAnswer : TypeQuery;
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ring.SigningKeyId);
        BinaryPrimitives.WriteUInt64BigEndian(destination[12..], message.Epoch);
        BinaryPrimitives.WriteUInt64BigEndian(destination[20..], message.Sequence);
        BinaryPrimitives.WriteInt64BigEndian(destination[28..], message.SentAt);
        BinaryPrimitives.WriteUInt64BigEndian(destination[36..], message.NonceEpoch);
        BinaryPrimitives.WriteUInt64BigEndian(destination[44..], message.NonceSequence);
        var ago = idLength == 0 ? uint.MaxValue : (uint)Math.Clamp(message.HeardAgo.TotalMilliseconds, 0, uint.MaxValue - 1);
        BinaryPrimitives.WriteUInt32BigEndian(destination[52..], ago);
        destination[56] = message.Priority;
        destination[HeaderLength] = (byte)idLength;
        _strictUtf8.GetBytes(message.NodeId, destination.Slice(HeaderLength + 1, idLength));
        destination[HeaderLength + 1 + idLength] = (byte)groupLength;
        _strictUtf8.GetBytes(message.Group, destination.Slice(HeaderLength + 2 + idLength, groupLength));
        var signedLength = HeaderLength + 2 + idLength + groupLength;
        HMACSHA256.HashData(ring.SigningKey, destination[..signedLength], destination.Slice(signedLength, MacLength));
        return signedLength + MacLength;
    }

    /// <summary>Reads and authenticates a witness datagram; never throws. On false, <paramref name="error"/> says why.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, FailoverKeyRing ring, out WitnessMessage message, out DecodeError error)
    {
        message = default;
        error = CheckFraming(datagram, out var signedLength);
        if (error != DecodeError.None)
        {
            return false;
        }

        error = AdvertCodec.Verify(datagram, BinaryPrimitives.ReadUInt32BigEndian(datagram[8..]), signedLength, ring, out _);
        if (error != DecodeError.None)
        {
            return false;
        }

        var isAnswer = datagram[5] == TypeAnswer;
        var nodeId = datagram.Slice(HeaderLength + 1, datagram[HeaderLength]);
        var group = datagram[(HeaderLength + 2 + nodeId.Length)..signedLength];
        var sequence = BinaryPrimitives.ReadUInt64BigEndian(datagram[20..]);
        if (BinaryPrimitives.ReadUInt16BigEndian(datagram[6..]) != 0 || sequence == 0 || (nodeId.IsEmpty && !isAnswer) || !Utf8.IsValid(nodeId) || !Utf8.IsValid(group))
        {
            error = DecodeError.BadField;
            return false;
        }

        var ago = BinaryPrimitives.ReadUInt32BigEndian(datagram[52..]);
        message = new WitnessMessage(isAnswer, Encoding.UTF8.GetString(nodeId), Encoding.UTF8.GetString(group),
            BinaryPrimitives.ReadUInt64BigEndian(datagram[12..]), sequence, BinaryPrimitives.ReadInt64BigEndian(datagram[28..]),
            BinaryPrimitives.ReadUInt64BigEndian(datagram[36..]), BinaryPrimitives.ReadUInt64BigEndian(datagram[44..]),
            ago == uint.MaxValue ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(ago), datagram[56]);
        return true;
    }

    private static DecodeError CheckFraming(ReadOnlySpan<byte> datagram, out int signedLength)
    {
        signedLength = 0;
        if (datagram.Length < HeaderLength + 2 + 1 + MacLength)
        {
            return DecodeError.TooShort;
        }

        if (!datagram[..4].SequenceEqual(Magic))
        {
            return DecodeError.BadMagic;
        }

        if (datagram[AdvertCodec.VersionOffset] != AdvertCodec.Version)
        {
            return DecodeError.BadVersion;
        }

        if (datagram[5] is not (TypeQuery or TypeAnswer))
        {
            return DecodeError.BadType;
        }

        var idLength = datagram[HeaderLength];
        if (idLength > AdvertCodec.MaxNodeIdBytes || datagram.Length < HeaderLength + 2 + idLength + MacLength)
        {
            return DecodeError.BadLength;
        }

        var groupLength = datagram[HeaderLength + 1 + idLength];
        signedLength = HeaderLength + 2 + idLength + groupLength;
        return groupLength is < 1 or > AdvertCodec.MaxGroupBytes || datagram.Length != signedLength + MacLength ? DecodeError.BadLength : DecodeError.None;
    }
}

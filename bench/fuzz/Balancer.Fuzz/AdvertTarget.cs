using System.Buffers.Binary;
using System.Security.Cryptography;
using Balancer.Core.Failover;

namespace Balancer.Fuzz;

/// <summary>
/// The failover advert codec on datagrams from the network. Random bytes rarely carry a known key id and a valid HMAC,
/// so each input is decoded twice: as it came (the framing, key id and MAC checks), and with the key id and MAC the
/// shared key gives its signed part (the field checks behind the MAC). An advert that decodes must encode back to the
/// same bytes.
/// </summary>
internal sealed class AdvertTarget : IFuzzTarget
{
    private const int NodeIdLengthOffset = 64;

    private static readonly FailoverKeyRing s_keys = new("fuzzing-shared-secret"u8);

    private readonly byte[] _signed = new byte[AdvertCodec.MaxLength];
    private readonly byte[] _encoded = new byte[AdvertCodec.MaxLength];

    public void Run(ReadOnlySpan<byte> input)
    {
        Decode(input);
        if (input.Length <= NodeIdLengthOffset + 1 || input[NodeIdLengthOffset] is 0 or > AdvertCodec.MaxNodeIdBytes)
        {
            return;
        }

        var groupAt = NodeIdLengthOffset + 1 + input[NodeIdLengthOffset];
        var groupLength = groupAt < input.Length ? Math.Min((int)input[groupAt], AdvertCodec.MaxGroupBytes) : 0;
        var signedLength = Math.Min(input.Length, groupAt + 1 + groupLength);
        input[..signedLength].CopyTo(_signed);
        BinaryPrimitives.WriteUInt32BigEndian(_signed.AsSpan(12), s_keys.SigningKeyId);
        HMACSHA256.HashData(s_keys.SigningKey, _signed.AsSpan(0, signedLength), _signed.AsSpan(signedLength, 32));
        Decode(_signed.AsSpan(0, signedLength + 32));
    }

    private void Decode(ReadOnlySpan<byte> datagram)
    {
        if (!AdvertCodec.TryDecode(datagram, s_keys, out var packet, out var slot, out var error))
        {
            InvariantException.Check(error != DecodeError.None && packet == default && slot == 0, "a failed decode without a reason");
            return;
        }

        InvariantException.Check(error == DecodeError.None && slot == 1, "a decoded advert with an error or no key");
        var written = AdvertCodec.Encode(packet, s_keys, _encoded);
        InvariantException.Check(datagram.SequenceEqual(_encoded.AsSpan(0, written)), "a decoded advert encodes to other bytes");
    }
}

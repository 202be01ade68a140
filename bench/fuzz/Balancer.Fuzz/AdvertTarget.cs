using System.Security.Cryptography;
using Balancer.Core.Failover;

namespace Balancer.Fuzz;

/// <summary>
/// The failover advert codec on datagrams from the network. Random bytes rarely carry a valid HMAC, so each input
/// is decoded twice: as it came (the framing checks, the MAC check), and with the MAC the shared key gives its
/// signed part (the field checks behind the MAC). An advert that decodes must encode back to the same bytes.
/// </summary>
internal sealed class AdvertTarget : IFuzzTarget
{
    private const int SignedHeader = 45;

    private static readonly byte[] s_key = "fuzzing-shared-secret"u8.ToArray();

    private readonly byte[] _signed = new byte[AdvertCodec.MaxLength];
    private readonly byte[] _encoded = new byte[AdvertCodec.MaxLength];

    public void Run(ReadOnlySpan<byte> input)
    {
        Decode(input);
        if (input.Length <= SignedHeader || input[44] is 0 or > AdvertCodec.MaxNodeIdBytes)
        {
            return;
        }

        var signedLength = Math.Min(input.Length, SignedHeader + input[44]);
        input[..signedLength].CopyTo(_signed);
        HMACSHA256.HashData(s_key, _signed.AsSpan(0, signedLength), _signed.AsSpan(signedLength, 32));
        Decode(_signed.AsSpan(0, signedLength + 32));
    }

    private void Decode(ReadOnlySpan<byte> datagram)
    {
        if (!AdvertCodec.TryDecode(datagram, s_key, out var packet, out var error))
        {
            InvariantException.Check(error != DecodeError.None && packet == default, "a failed decode without a reason");
            return;
        }

        InvariantException.Check(error == DecodeError.None, "a decoded advert with an error");
        var written = AdvertCodec.Encode(packet, s_key, _encoded);
        InvariantException.Check(datagram.SequenceEqual(_encoded.AsSpan(0, written)), "a decoded advert encodes to other bytes");
    }
}

using System.Net;

namespace Balancer.Core.Failover;

/// <summary>
/// The gate every received datagram passes: the codec authenticates it, <see cref="PeerReplayGuard"/> checks who
/// sent it and that it is new; each refusal is counted by its reason for <c>/status</c> and the metrics.
/// </summary>
internal sealed class AdvertIntake(byte[] key, PeerReplayGuard guard)
{
    private readonly long[] _decodeRejects = new long[Enum.GetValues<DecodeError>().Length];
    private readonly long[] _peerRejects = new long[Enum.GetValues<PeerCheck>().Length];

    /// <summary>Decodes and authenticates; touches no state, so it may run outside the machine's lock.</summary>
    public bool TryDecode(ReadOnlySpan<byte> datagram, out AdvertPacket packet, out DecodeError error) =>
        AdvertCodec.TryDecode(datagram, key, out packet, out error);

    /// <summary>True when a decoded advert from <paramref name="source"/> may drive the machine; otherwise counts why not.</summary>
    public bool Admit(bool decoded, DecodeError error, in AdvertPacket packet, IPEndPoint source)
    {
        if (!decoded)
        {
            _decodeRejects[(int)error]++;
            return false;
        }

        var check = guard.Admit(packet, source);
        if (check != PeerCheck.Accepted)
        {
            _peerRejects[(int)check]++;
            return false;
        }

        return true;
    }

    /// <summary>Rejected datagrams by reason (<see cref="DecodeError"/> or <see cref="PeerCheck"/> name), only non-zero counts.</summary>
    public Dictionary<string, long> Rejected()
    {
        var rejected = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var reason in Enum.GetValues<DecodeError>().Where(r => _decodeRejects[(int)r] > 0))
        {
            rejected[reason.ToString()] = _decodeRejects[(int)reason];
        }

        foreach (var reason in Enum.GetValues<PeerCheck>().Where(r => _peerRejects[(int)r] > 0))
        {
            rejected[reason.ToString()] = _peerRejects[(int)reason];
        }

        return rejected;
    }
}

using System.Buffers;
using Balancer.Core.ProxyProtocol;
using Balancer.Core.Tests.TestDoubles;

namespace Balancer.Fuzz;

/// <summary>
/// The PROXY protocol v1/v2 parser on the first bytes of an inbound connection. The same bytes in one segment and
/// in many small ones (as they arrive from the socket) must parse alike; a header that parses lies inside the
/// input and parses alike on its own bytes; what Balancer would write for it (v1 and v2) parses back to itself.
/// </summary>
internal sealed class ProxyHeaderTarget : IFuzzTarget
{
    private const int SegmentSize = 3;

    private readonly byte[] _written = new byte[ProxyHeaderWriter.MaxLength];
    private readonly byte[] _rewritten = new byte[ProxyHeaderWriter.MaxLength];

    public void Run(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        var whole = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes));
        var pieces = ProxyHeaderParser.Parse(Segments.Of(bytes, SegmentSize));
        InvariantException.Check(Same(whole, pieces), $"one segment says {whole}, several say {pieces}");
        InvariantException.Check(whole.Status != ProxyParseStatus.Invalid || whole.Error is { Length: > 0 }, "Invalid without a reason");
        if (whole.Status != ProxyParseStatus.Done)
        {
            InvariantException.Check(whole.Consumed == 0 && whole.Header is null, "consumed bytes without a header");
            return;
        }

        InvariantException.Check(whole.Header is not null && whole.Consumed > 0 && whole.Consumed <= bytes.Length, "a header outside the input");
        InvariantException.Check(Same(whole, ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(bytes, 0, whole.Consumed))), "the header's own bytes parse differently");
        RoundTrip(whole.Header!, ProxyProtocolVersion.V1);
        RoundTrip(whole.Header!, ProxyProtocolVersion.V2);
    }

    private static bool Same(ProxyParseResult a, ProxyParseResult b) =>
        a.Status == b.Status && a.Consumed == b.Consumed && Equals(a.Header, b.Header);

    // Writing normalises (IPv4-mapped addresses, scope ids), so the written bytes must be a fixed point.
    private void RoundTrip(ProxyHeader header, ProxyProtocolVersion version)
    {
        var written = Write(version, header, _written);
        var parsed = ProxyHeaderParser.Parse(new ReadOnlySequence<byte>(_written, 0, written));
        InvariantException.Check(parsed.Status == ProxyParseStatus.Done && parsed.Consumed == written, $"Balancer's own {version} header does not parse: {parsed}");
        var again = Write(version, parsed.Header!, _rewritten);
        InvariantException.Check(_written.AsSpan(0, written).SequenceEqual(_rewritten.AsSpan(0, again)), $"{version} header does not survive a round trip");
    }

    private static int Write(ProxyProtocolVersion version, ProxyHeader header, Span<byte> destination) =>
        version == ProxyProtocolVersion.V1 ? ProxyHeaderWriter.WriteV1(header, destination) : ProxyHeaderWriter.WriteV2(header, destination);

    private enum ProxyProtocolVersion
    {
        V1,
        V2,
    }
}

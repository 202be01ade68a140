using Balancer.Core.Http1;

namespace Balancer.Fuzz;

/// <summary>
/// The chunked decoder on bytes from a backend, fed two ways: all at once, and one byte per call as the slowest
/// backend would send them. Both must report the same body bytes, the same end and the same end position, and
/// every call must stay inside its input and make progress.
/// </summary>
internal sealed class ChunkedTarget : IFuzzTarget
{
    private readonly ChunkedDecoder _decoder = new();
    private readonly MemoryStream _whole = new();
    private readonly MemoryStream _trickled = new();

    public void Run(ReadOnlySpan<byte> input)
    {
        _decoder.Reset();
        _whole.SetLength(0);
        var (wholeEnd, wholeAt) = Feed(input, _whole);
        var (trickledEnd, trickledAt) = (ChunkResult.NeedMore, input.Length);
        _decoder.Reset();
        _trickled.SetLength(0);
        for (var i = 0; i < input.Length && trickledEnd == ChunkResult.NeedMore; i++)
        {
            (trickledEnd, var at) = Feed(input.Slice(i, 1), _trickled);
            trickledAt = i + at;
        }

        InvariantException.Check(wholeEnd == trickledEnd, $"whole input ends {wholeEnd}, byte by byte {trickledEnd}");
        InvariantException.Check(wholeEnd == ChunkResult.Invalid || wholeAt == trickledAt, "the body ends at different positions");
        InvariantException.Check(
            _whole.GetBuffer().AsSpan(0, (int)_whole.Length).SequenceEqual(_trickled.GetBuffer().AsSpan(0, (int)_trickled.Length)),
            "the body bytes differ");
    }

    // Decodes everything in input, the way Http1ResponseCopier does: data runs are copied on, the rest is framing.
    private (ChunkResult End, int At) Feed(ReadOnlySpan<byte> input, MemoryStream body)
    {
        var position = 0;
        while (true)
        {
            var result = _decoder.Decode(input[position..], out var consumed, out var offset, out var length);
            InvariantException.Check(consumed >= 0 && consumed <= input.Length - position, "consumed outside the input");
            if (result != ChunkResult.Data)
            {
                InvariantException.Check(result != ChunkResult.NeedMore || position + consumed == input.Length, "NeedMore left bytes unread");
                return (result, position + consumed);
            }

            InvariantException.Check(length > 0 && offset >= 0 && offset + length == consumed, "a data run outside what was consumed");
            body.Write(input.Slice(position + offset, length));
            position += consumed;
            if (position == input.Length)
            {
                return (ChunkResult.NeedMore, position);
            }
        }
    }
}

using Balancer.Core.Http1;

namespace Balancer.Fuzz;

/// <summary>
/// The HTTP/1.x response-head parser on bytes from a backend. Besides not throwing: a complete head lies inside the
/// buffer and the limit, its fields lie inside the head, the same head is found in the head's bytes alone, one byte
/// less is incomplete, and a smaller limit never changes what a head that fits it means.
/// </summary>
internal sealed class ResponseHeadTarget : IFuzzTarget
{
    private const int SmallLimit = 64;

    private readonly ResponseHead _head = new();
    private readonly ResponseHead _again = new();

    public void Run(ReadOnlySpan<byte> input)
    {
        var result = ResponseHeadParser.Parse(input, _head);
        var small = ResponseHeadParser.Parse(input, _again, SmallLimit);
        if (small == HeadParseResult.Complete)
        {
            InvariantException.Check(result == HeadParseResult.Complete && _again.Length == _head.Length, "a head within the small limit parsed differently under the default one");
        }

        if (result != HeadParseResult.Complete)
        {
            InvariantException.Check(result != HeadParseResult.TooLarge || input.Length >= ResponseHeadParser.DefaultMaxLength, "TooLarge below the limit");
            return;
        }

        var length = _head.Length;
        InvariantException.Check(length > 0 && length <= input.Length && length <= ResponseHeadParser.DefaultMaxLength, "head length out of bounds");
        InvariantException.Check(_head.StatusCode is >= 100 and <= 999 && _head.MinorVersion is 0 or 1, "status line out of range");
        InvariantException.Check(_head.ReasonStart + _head.ReasonLength <= length, "reason phrase outside the head");
        InvariantException.Check(_head.ContentLength >= -1, "negative Content-Length");
        foreach (var field in _head.Fields)
        {
            InvariantException.Check(
                field.NameLength > 0 && field.NameStart >= 0 && field.NameStart + field.NameLength < field.ValueStart + 1
                && field.ValueLength >= 0 && field.ValueStart + field.ValueLength <= length,
                "header field outside the head");
        }

        var count = _head.FieldCount;
        var contentLength = _head.ContentLength;
        var chunked = _head.Chunked;
        InvariantException.Check(
            ResponseHeadParser.Parse(input[..length], _again) == HeadParseResult.Complete && _again.Length == length
            && _again.FieldCount == count && _again.ContentLength == contentLength && _again.Chunked == chunked,
            "the head's own bytes parse differently");
        InvariantException.Check(ResponseHeadParser.Parse(input[..(length - 1)], _again) == HeadParseResult.Incomplete, "a head one byte short is not incomplete");
    }
}

namespace Balancer.Core.Http1;

/// <summary>What <see cref="ChunkedDecoder.Decode"/> found in the bytes it was given.</summary>
public enum ChunkResult
{
    /// <summary>Every byte was consumed without finding chunk data: read more.</summary>
    NeedMore,

    /// <summary>A run of body bytes was found; pass it on, then call again with the rest.</summary>
    Data,

    /// <summary>The last chunk and the trailer section were read: the body is complete.</summary>
    Done,

    /// <summary>Not valid chunked coding.</summary>
    Invalid,
}

/// <summary>
/// Removes the chunked transfer coding (RFC 9112 §7.1) as bytes arrive, without buffering or allocating: each call
/// reports the next run of body bytes, in place. Chunk extensions are skipped; the trailer section is kept (up to
/// <see cref="MaxTrailerSize"/>) for <see cref="Trailers"/>, so a proxy can pass the fields on (RFC 9110 §6.5).
/// </summary>
public sealed class ChunkedDecoder
{
    /// <summary>Bytes of trailer section kept; a longer one is <see cref="ChunkResult.Invalid"/> (as a header block over its limit is).</summary>
    public const int MaxTrailerSize = 32 * 1024;

    private const int MaxSizeDigits = 15; // 2^60: no overflow, far above any real chunk

    private State _state = State.Size;
    private long _remaining;
    private int _digits;
    private byte[]? _trailers; // allocated at the first response that has trailers, then reused
    private int _trailerLength;

    private enum State
    {
        Size,
        Extension,
        Data,
        DataCr,
        DataLf,
        TrailerLineStart,
        TrailerLine,
        Done,
    }

    /// <summary>
    /// The trailer field lines of the body just decoded, each with its line end, without the empty line that ends them;
    /// empty when there were none. Valid after <see cref="ChunkResult.Done"/> until <see cref="Reset"/>.
    /// </summary>
    public ReadOnlySpan<byte> Trailers => _trailers.AsSpan(0, _trailerLength);

    /// <summary>Starts over for the next response.</summary>
    public void Reset()
    {
        _state = State.Size;
        _remaining = 0;
        _digits = 0;
        _trailerLength = 0;
    }

    /// <summary>
    /// Decodes from the start of <paramref name="input"/>; <paramref name="consumed"/> bytes of it are used up
    /// (including any data reported through <paramref name="dataOffset"/> and <paramref name="dataLength"/>).
    /// </summary>
    public ChunkResult Decode(ReadOnlySpan<byte> input, out int consumed, out int dataOffset, out int dataLength)
    {
        dataOffset = 0;
        dataLength = 0;
        var i = 0;
        while (i < input.Length)
        {
            var b = input[i];
            switch (_state)
            {
                case State.Size:
                    if (HexValue(b) is var digit and >= 0)
                    {
                        if (++_digits > MaxSizeDigits)
                        {
                            consumed = i;
                            return ChunkResult.Invalid;
                        }

                        _remaining = (_remaining * 16) + digit;
                        i++;
                    }
                    else if (_digits > 0 && b is (byte)';' or (byte)' ' or (byte)'\t' or (byte)'\r')
                    {
                        _state = State.Extension;
                    }
                    else if (_digits > 0 && b == '\n')
                    {
                        i++;
                        _state = _remaining == 0 ? State.TrailerLineStart : State.Data;
                    }
                    else
                    {
                        consumed = i;
                        return ChunkResult.Invalid;
                    }

                    break;
                case State.Extension:
                    // chunk-ext up to the end of the line; a bare CR inside it is not allowed.
                    i++;
                    if (b == '\n')
                    {
                        _state = _remaining == 0 ? State.TrailerLineStart : State.Data;
                    }

                    break;
                case State.Data:
                    var take = (int)Math.Min(_remaining, input.Length - i);
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _state = State.DataCr;
                    }

                    dataOffset = i;
                    dataLength = take;
                    consumed = i + take;
                    return ChunkResult.Data;
                case State.DataCr:
                    // Each chunk's data ends with CRLF; a bare LF is accepted as SocketsHttpHandler does.
                    i++;
                    _state = b == '\r' ? State.DataLf : State.Size;
                    if (b == '\n')
                    {
                        _digits = 0;
                        break;
                    }

                    if (b != '\r')
                    {
                        consumed = i - 1;
                        return ChunkResult.Invalid;
                    }

                    break;
                case State.DataLf:
                    if (b != '\n')
                    {
                        consumed = i;
                        return ChunkResult.Invalid;
                    }

                    i++;
                    _digits = 0;
                    _state = State.Size;
                    break;
                case State.TrailerLineStart:
                    i++;
                    if (b == '\n')
                    {
                        _state = State.Done;
                        consumed = i;
                        return ChunkResult.Done;
                    }

                    _state = b == '\r' ? State.TrailerLineStart : State.TrailerLine;
                    if (b != '\r' && !KeepTrailer(b))
                    {
                        consumed = i - 1;
                        return ChunkResult.Invalid;
                    }

                    break;
                case State.TrailerLine:
                    i++;
                    if (b == '\n')
                    {
                        _state = State.TrailerLineStart;
                    }

                    if (!KeepTrailer(b))
                    {
                        consumed = i - 1;
                        return ChunkResult.Invalid;
                    }

                    break;
                default:
                    consumed = i;
                    return ChunkResult.Done;
            }
        }

        consumed = i;
        return _state == State.Done ? ChunkResult.Done : ChunkResult.NeedMore;
    }

    private bool KeepTrailer(byte b)
    {
        if (_trailerLength == MaxTrailerSize)
        {
            return false;
        }

        _trailers ??= new byte[1024];
        if (_trailerLength == _trailers.Length)
        {
            Array.Resize(ref _trailers, Math.Min(_trailers.Length * 4, MaxTrailerSize));
        }

        _trailers[_trailerLength++] = b;
        return true;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}

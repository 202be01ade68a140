namespace Balancer.Core.Http1;

/// <summary>One header line of a parsed response head: offsets into the buffer the head was parsed from.</summary>
public readonly record struct HeaderField(int NameStart, int NameLength, int ValueStart, int ValueLength);

/// <summary>
/// An HTTP/1.x response head as <see cref="ResponseHeadParser"/> found it. One instance is reused for every
/// response of a connection, so parsing allocates nothing once its field array has grown to the usual size.
/// </summary>
public sealed class ResponseHead
{
    private HeaderField[] _fields = new HeaderField[16];

    /// <summary>The status code (100-999).</summary>
    public int StatusCode { get; internal set; }

    /// <summary>1 for HTTP/1.1, 0 for HTTP/1.0.</summary>
    public int MinorVersion { get; internal set; }

    /// <summary>Offset of the reason phrase in the buffer.</summary>
    public int ReasonStart { get; internal set; }

    /// <summary>Length of the reason phrase (0 when the status line has none).</summary>
    public int ReasonLength { get; internal set; }

    /// <summary>Bytes of the head, status line to the empty line included.</summary>
    public int Length { get; internal set; }

    /// <summary>The body length the head declares; -1 when it has no <c>Content-Length</c>.</summary>
    public long ContentLength { get; internal set; }

    /// <summary>True when a <c>Transfer-Encoding</c> header is present, whatever it names.</summary>
    public bool HasTransferEncoding { get; internal set; }

    /// <summary>True when the last transfer coding is <c>chunked</c> (RFC 9112 §6.3 rule 4).</summary>
    public bool Chunked { get; internal set; }

    /// <summary>True when a <c>Connection</c> header says <c>close</c>.</summary>
    public bool ConnectionClose { get; internal set; }

    /// <summary>The header lines, in order.</summary>
    public ReadOnlySpan<HeaderField> Fields => _fields.AsSpan(0, FieldCount);

    /// <summary>How many header lines there are.</summary>
    public int FieldCount { get; private set; }

    /// <summary>
    /// Whether the connection can carry another request after this response (RFC 9112 §9.3): HTTP/1.1 without
    /// <c>close</c>. An HTTP/1.0 response is never reused, keep-alive or not: the simplest safe choice.
    /// </summary>
    public bool KeepAlive => MinorVersion == 1 && !ConnectionClose;

    /// <summary>True for status codes whose responses never have a body (RFC 9110 §6.4.1): 1xx, 204, 304.</summary>
    public bool IsBodyless => StatusCode is < 200 or 204 or 304;

    internal void Reset()
    {
        StatusCode = 0;
        MinorVersion = 0;
        ReasonStart = 0;
        ReasonLength = 0;
        Length = 0;
        ContentLength = -1;
        HasTransferEncoding = false;
        Chunked = false;
        ConnectionClose = false;
        FieldCount = 0;
    }

    internal void Add(HeaderField field)
    {
        if (FieldCount == _fields.Length)
        {
            Array.Resize(ref _fields, _fields.Length * 2);
        }

        _fields[FieldCount++] = field;
    }
}

namespace Balancer.Telemetry;

/// <summary>
/// Why a request was refused before routing: the <c>reason</c> label of <c>balancer_requests_refused_total</c>
/// (HAProxy counts the same as <c>frontend_request_errors</c>). Kestrel's own refusals are told apart by status.
/// </summary>
internal static class RefusalReasons
{
    /// <summary>CONNECT other than an RFC 8441 WebSocket (405).</summary>
    public const string Method = "method";

    /// <summary>A Connection header naming Content-Length, Transfer-Encoding or Host (400).</summary>
    public const string Framing = "framing";

    /// <summary>A header name that is not a token (400).</summary>
    public const string HeaderName = "header_name";

    /// <summary>A control character in a header value (400).</summary>
    public const string HeaderValue = "header_value";

    /// <summary>An HTTP/2 request with a connection-specific field (400, RFC 9113 §8.2.2).</summary>
    public const string Http2Malformed = "http2_malformed";

    /// <summary>A body over <c>maxRequestBodySize</c> (413).</summary>
    public const string BodyTooLarge = "body_too_large";

    /// <summary>A request line or HTTP/2 <c>:path</c> over <c>maxRequestLineSize</c> (414).</summary>
    public const string UriTooLong = "uri_too_long";

    /// <summary>Headers over <c>maxRequestHeadersTotalSize</c> or <c>maxRequestHeaderCount</c> (431).</summary>
    public const string HeadersTooLarge = "headers_too_large";

    /// <summary>Headers not received within <c>requestHeadersTimeout</c> (408).</summary>
    public const string Timeout = "timeout";

    /// <summary>Any other request Kestrel could not parse (400).</summary>
    public const string BadRequest = "bad_request";

    /// <summary>An HTTP/2 stream Kestrel reset for a protocol error in its request.</summary>
    public const string Http2StreamError = "http2_stream_error";

    /// <summary>An HTTP/2 connection Kestrel closed with GOAWAY for a protocol error.</summary>
    public const string Http2ConnectionError = "http2_connection_error";

    /// <summary>Every reason, exported at 0 per listener from the start.</summary>
    public static readonly string[] All =
    [
        Method, Framing, HeaderName, HeaderValue, Http2Malformed, BodyTooLarge, UriTooLong, HeadersTooLarge, Timeout, BadRequest,
        Http2StreamError, Http2ConnectionError,
    ];

    /// <summary>The reason of one of Kestrel's own refusals, by the status it answered.</summary>
    public static string ForStatus(int status) => status switch
    {
        413 => BodyTooLarge,
        414 => UriTooLong,
        431 => HeadersTooLarge,
        408 => Timeout,
        _ => BadRequest,
    };
}

using System.Text;
using Balancer.Tests.Common;

namespace Balancer.Tests.Http.Differential;

/// <summary>
/// What the differential test's recorder backends answer: a target <c>/r/NAME/…</c> picks the response NAME (framings,
/// status kinds, hop-by-hop and odd headers), anything else a plain 200. The same script behind both forwarders.
/// </summary>
internal static class ScriptedResponses
{
    private static readonly string s_big = new('b', 200_000);

    /// <summary>Response name → raw response and whether the backend closes after it.</summary>
    public static readonly IReadOnlyDictionary<string, (string Response, bool Close)> All = new Dictionary<string, (string, bool)>
    {
        ["ok"] = ("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok", false),
        ["chunked"] = ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n", false),
        ["trailers"] = ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n4\r\ndata\r\n0\r\nX-Checksum: abc\r\n\r\n", false),
        ["no-content"] = ("HTTP/1.1 204 No Content\r\nX-Id: 1\r\n\r\n", false),
        ["not-modified"] = ("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\nCache-Control: max-age=60\r\n\r\n", false),
        ["reason"] = ("HTTP/1.1 200 Fine Thanks\r\nContent-Length: 0\r\n\r\n", false),
        ["hop"] = ("HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\nProxy-Authenticate: Basic\r\n"
            + "Alt-Svc: h3=\":443\"\r\nUpgrade: h2c\r\nX-Kept: 2\r\nContent-Length: 2\r\n\r\nok", false),
        ["cookies"] = ("HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\nSet-Cookie: b=2; HttpOnly\r\nContent-Length: 0\r\n\r\n", false),
        ["repeated"] = ("HTTP/1.1 200 OK\r\nX-Multi: a\r\nX-Multi: b\r\nVary: Accept\r\nVary: Origin\r\nContent-Length: 0\r\n\r\n", false),
        ["lower-case"] = ("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-powered-by: php\r\ncache-control: no-cache\r\nx-custom-thing: v\r\n"
            + "content-length: 2\r\n\r\nok", false),
        ["to-close"] = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nread until the backend closes", true),
        ["close-header"] = ("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nclose", true),
        ["http10"] = ("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nan HTTP/1.0 answer", true),
        ["early-hints"] = ("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false),
        ["big"] = ($"HTTP/1.1 200 OK\r\nContent-Length: {s_big.Length}\r\n\r\n{s_big}", false),
        ["not-found"] = ("HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\nnot here\n", false),
        ["error"] = ("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 4\r\n\r\nbusy", false),
        ["te-and-cl"] = ("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false),
        ["content-headers"] = ("HTTP/1.1 200 OK\r\nContent-Language: en\r\nContent-Disposition: inline\r\nExpires: Thu, 01 Dec 2094 16:00:00 GMT\r\n"
            + "Last-Modified: Tue, 15 Nov 1994 12:45:26 GMT\r\nAllow: GET, HEAD\r\nContent-Location: /here\r\nContent-Length: 2\r\n\r\nok", false),
        ["server-date"] = ("HTTP/1.1 200 OK\r\nServer: backend/1.0\r\nDate: Tue, 15 Nov 1994 08:12:31 GMT\r\nX-Empty:\r\nX-Tab: a\tb\r\n"
            + "Content-Length: 2\r\n\r\nok", false),
        ["length-zero"] = ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false),
    };

    /// <summary>The recorder's script: the response the target names.</summary>
    public static (byte[] Response, bool Close) Respond(RecordedRequest request)
    {
        var name = request.Target.StartsWith("/r/", StringComparison.Ordinal) ? request.Target[3..].Split('/', '?')[0] : "ok";
        var (response, close) = All.TryGetValue(name, out var scripted) ? scripted : All["ok"];
        return (Encoding.Latin1.GetBytes(response), close);
    }
}

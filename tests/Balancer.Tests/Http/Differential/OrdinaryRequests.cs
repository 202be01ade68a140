using System.Text;

namespace Balancer.Tests.Http.Differential;

/// <summary>
/// Ordinary requests for the differential test: every request shape (methods, targets, bodies framed every legal
/// way, HTTP/1.0) with every header set (odd-but-legal names and values, repeated lines, hop-by-hop, forwarding and
/// trace headers, Host forms), each answered with a different scripted response (<see cref="ScriptedResponses"/>).
/// </summary>
internal static class OrdinaryRequests
{
    private static readonly string s_sixtyK = new('p', 60_000);

    // Name, request line after the method's target prefix, and the framing lines and body.
    private static readonly (string Name, string Method, string Tail, string Version, string Framing, string Body)[] s_shapes =
    [
        ("get", "GET", "/a?x=1", "HTTP/1.1", "", ""),
        ("get-encoded", "GET", "/p%20q/%2F/%7Eu/%C3%A9?q=a%20b&r=%2F", "HTTP/1.1", "", ""),
        ("get-dot-segments", "GET", "/a/./b/../c", "HTTP/1.1", "", ""),
        ("get-empty-query", "GET", "/e?", "HTTP/1.1", "", ""),
        ("get-plus-and-bare-key", "GET", "/a+b?c=d+e&f", "HTTP/1.1", "", ""),
        ("get-lower-case-method", "get", "/m", "HTTP/1.1", "", ""),
        ("head", "HEAD", "/h", "HTTP/1.1", "", ""),
        ("delete", "DELETE", "/d/1", "HTTP/1.1", "", ""),
        ("options", "OPTIONS", "/o", "HTTP/1.1", "", ""),
        ("post-length", "POST", "/p", "HTTP/1.1", "Content-Length: 11\r\n", "hello world"),
        ("post-length-zero", "POST", "/p0", "HTTP/1.1", "Content-Length: 0\r\n", ""),
        ("post-no-body", "POST", "/pn", "HTTP/1.1", "", ""),
        ("put-60k", "PUT", "/big", "HTTP/1.1", $"Content-Length: {s_sixtyK.Length}\r\n", s_sixtyK),
        ("patch", "PATCH", "/patch", "HTTP/1.1", "Content-Length: 13\r\nContent-Type: application/json\r\n", "{\"a\":[1,2,3]}"),
        ("post-chunked", "POST", "/c", "HTTP/1.1", "Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"),
        ("post-chunked-trailers", "POST", "/ct", "HTTP/1.1", "Transfer-Encoding: chunked\r\nTrailer: X-Sum\r\n", "4\r\ndata\r\n0\r\nX-Sum: 42\r\n\r\n"),
        ("post-expect-continue", "POST", "/x", "HTTP/1.1", "Expect: 100-continue\r\nContent-Length: 5\r\n", "hello"),
        ("purge", "PURGE", "/cache/k", "HTTP/1.1", "", ""),
        ("propfind", "PROPFIND", "/dav", "HTTP/1.1", "Content-Length: 7\r\nDepth: 1\r\n", "<prop/>"),
        ("http10-get", "GET", "/10", "HTTP/1.0", "", ""),
        ("http10-post", "POST", "/10p", "HTTP/1.0", "Content-Length: 4\r\n", "abcd"),
    ];

    private static readonly (string Name, string[] Lines)[] s_headerSets =
    [
        ("plain", ["User-Agent: diff/1.0", "Accept: */*"]),
        ("odd-names", ["X-Odd!#$%&'*+-.^_`|~: v", "x-lower: v", "X-UPPER: V", "X-Digits-123: 4"]),
        ("known-lower-case", ["user-agent: x", "accept: text/html", "x-requested-with: XMLHttpRequest", "accept-language: en", "if-none-match: \"x\""]),
        ("repeated", ["X-Multi: a", "X-Multi: b", "Accept: text/html", "Accept: */*"]),
        ("cookies", ["Cookie: a=1", "Cookie: b=2; c=3"]),
        ("empty-values", ["X-Empty:", "X-Spaces:   ", "X-Padded:   v   "]),
        ("tabs", ["X-Tab: a\tb", "X-Trail: v\t"]),
        ("long-value", ["X-Long: " + new string('l', 4000)]),
        ("many", [.. Enumerable.Range(0, 40).Select(i => $"X-H{i}: {i}")]),
        ("hop-by-hop", ["Connection: X-Hop", "X-Hop: secret", "Keep-Alive: timeout=5", "Proxy-Authorization: Basic eA==", "TE: trailers",
            "Upgrade-Insecure-Requests: 1", "Proxy-Connection: keep-alive"]),
        ("forwarding", ["X-Forwarded-For: 198.18.0.1", "X-Forwarded-Proto: https", "X-Forwarded-Host: evil.test", "Forwarded: for=198.18.0.1",
            "X-Real-IP: 198.18.0.1"]),
        ("trace", ["traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "tracestate: congo=t61rcWkgMzE", "baggage: k=v"]),
        ("content-type-without-body", ["Content-Type: application/json", "Content-Language: en"]),
        ("caching", ["Cache-Control: no-cache", "Pragma: no-cache", "If-Modified-Since: Sat, 29 Oct 1994 19:43:31 GMT", "Max-Forwards: 3", "Via: 1.1 other"]),
        ("auth-and-origin", ["Authorization: Bearer abc.def", "Origin: http://example.test", "Referer: http://example.test/p"]),
        ("host-with-port", ["Host: Example.TEST:8080"]),
        ("host-ipv6", ["Host: [::1]:8080"]),
        ("encodings", ["Accept-Encoding: gzip, br", "Accept-Charset: utf-8", "Range: bytes=0-1"]),
        ("latin-1-value", ["X-Latin: caf\xe9"]),
    ];

    /// <summary>Every shape with every header set, the responses rotating through the script.</summary>
    public static IReadOnlyList<DifferentialCase> All()
    {
        var responses = ScriptedResponses.All.Keys.Order(StringComparer.Ordinal).ToArray();
        var cases = new List<DifferentialCase>();
        for (var s = 0; s < s_shapes.Length; s++)
        {
            for (var h = 0; h < s_headerSets.Length; h++)
            {
                var response = responses[((s * s_headerSets.Length) + h) % responses.Length];
                cases.Add(Build(s_shapes[s], s_headerSets[h], response));
            }
        }

        return cases;
    }

    private static DifferentialCase Build(
        (string Name, string Method, string Tail, string Version, string Framing, string Body) shape, (string Name, string[] Lines) headers, string response)
    {
        var text = new StringBuilder($"{shape.Method} /r/{response}{shape.Tail} {shape.Version}\r\n");
        var lines = headers.Lines.ToList();
        if (!lines.Any(l => l.StartsWith("Host:", StringComparison.Ordinal)) && shape.Version == "HTTP/1.1")
        {
            lines.Insert(0, "Host: diff.test"); // HTTP/1.0 requests go without one: the backend's address is sent then
        }

        // Every exchange ends with the server closing, so that no case waits on a timer to end.
        var connection = lines.FindIndex(l => l.StartsWith("Connection:", StringComparison.Ordinal));
        if (connection >= 0)
        {
            lines[connection] += ", close";
        }
        else if (shape.Version == "HTTP/1.1")
        {
            lines.Add("Connection: close");
        }

        foreach (var line in lines)
        {
            text.Append(line).Append("\r\n");
        }

        text.Append(shape.Framing).Append("\r\n").Append(shape.Body);
        return new DifferentialCase($"{shape.Name} + {headers.Name} → {response}", Encoding.Latin1.GetBytes(text.ToString()), EndsWithClose: true);
    }
}

namespace Balancer.Tests.Common;

/// <summary>One request exactly as it arrived at a <see cref="RecorderBackend"/>, with every framing oddity noticed.</summary>
public sealed record RecordedRequest(string Method, string Target, string Version, IReadOnlyList<(string Name, string Value)> Headers, byte[] Body)
{
    /// <summary>The trailer fields of a chunked body, in arrival order (empty for none).</summary>
    public IReadOnlyList<(string Name, string Value)> Trailers { get; init; } = [];

    /// <summary>
    /// Bytes that never became a whole request: the connection ended inside one (a proxy that gave up on a request while
    /// streaming it, or a half-smuggled message).
    /// </summary>
    public bool Cut { get; init; }

    /// <summary>Framing or syntax problems the recorder saw (empty for a clean request).</summary>
    public List<string> Anomalies { get; } = [];

    /// <summary>Every value of header <paramref name="name"/> (case-insensitive), in arrival order.</summary>
    public IEnumerable<string> Values(string name) =>
        Headers.Where(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>The problems that make a request ambiguous for a backend; empty when it is well-formed.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var anomaly in Anomalies)
        {
            yield return anomaly;
        }

        var lengths = Values("Content-Length").ToList();
        var encodings = Values("Transfer-Encoding").ToList();
        if (lengths.Count > 0 && encodings.Count > 0)
        {
            yield return "both Content-Length and Transfer-Encoding";
        }

        if (lengths.Count > 1)
        {
            yield return "more than one Content-Length";
        }

        if (encodings.Count > 1 || encodings.Any(e => !string.Equals(e, "chunked", StringComparison.Ordinal)))
        {
            yield return $"Transfer-Encoding other than a single 'chunked': {string.Join("|", encodings)}";
        }

        foreach (var (name, value) in Headers)
        {
            if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 0x7F || "()<>@,;:\\\"/[]?={}".Contains(c)))
            {
                yield return $"header name is not a token: {Escape(name)}";
            }

            if (value.Any(c => c == 0x7F || (c < ' ' && c != '\t')))
            {
                yield return $"control character in value of {name}: {Escape(value)}";
            }
        }

        if (Values("Upgrade").Any(v => v.Contains("h2c", StringComparison.OrdinalIgnoreCase)) || Values("HTTP2-Settings").Any())
        {
            yield return "an h2c upgrade was passed on";
        }

        if (!Target.StartsWith('/') && Target != "*")
        {
            yield return $"target is not origin-form: {Escape(Target)}";
        }
    }

    /// <summary>Shows control characters as escapes, for messages.</summary>
    public static string Escape(string text) =>
        string.Concat(text.Select(c => c switch { '\r' => "\\r", '\n' => "\\n", '\t' => "\\t", < ' ' or > '~' => $"\\x{(int)c:x2}", _ => c.ToString() }));
}

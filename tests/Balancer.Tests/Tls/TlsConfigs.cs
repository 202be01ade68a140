namespace Balancer.Tests.Tls;

/// <summary>Configs for the TLS tests: an https listener <c>web</c> in front of one pool.</summary>
internal static class TlsConfigs
{
    /// <summary>
    /// One https listener with <paramref name="tls"/> (a JSON object) routing to <paramref name="backend"/>;
    /// <paramref name="moreListeners"/> (starting with a comma) and <paramref name="poolFields"/> (ending with one) are added as given.
    /// </summary>
    public static string Https(string backend, string tls, string moreListeners = "", string poolFields = "") => $$"""
        {
          "listeners": {
            "web": { "bind": "127.0.0.1:0", "tls": {{tls}}, "routes": [ { "path": "/{**rest}", "pool": "web" } ] }
            {{moreListeners}}
          },
          "pools": { "web": { {{poolFields}} "backends": [ { "address": "{{backend}}" } ] } },
          "admin": { "bind": "127.0.0.1:0" }
        }
        """;

    /// <summary>A <c>tls</c> block serving the certificates of <paramref name="files"/>, hosts taken from the certificates.</summary>
    public static string Certificates(params (string Cert, string Key)[] files) =>
        $$"""{ "certificates": [ {{string.Join(", ", files.Select(f => $$"""{ "cert": "{{f.Cert}}", "key": "{{f.Key}}" }"""))}} ] }""";

    /// <summary>A plain http listener <c>plain</c> on port 0 with <paramref name="fields"/>, to pass as moreListeners.</summary>
    public static string Plain(string fields) => $$""", "plain": { "bind": "127.0.0.1:0", {{fields}} }""";
}

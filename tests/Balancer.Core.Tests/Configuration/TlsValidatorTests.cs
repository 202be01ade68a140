using Balancer.Core.Configuration;
using Balancer.Core.Reload;

namespace Balancer.Core.Tests.Configuration;

/// <summary>The <c>tls</c> blocks and <c>redirectToHttps</c>, through <see cref="ConfigLoader.Parse"/> so positions are real.</summary>
public sealed class TlsValidatorTests
{
    private const string Pools = """
        "pools": { "web": { "backends": [ { "address": "http://127.0.0.1:5001" } ] },
                   "db": { "backends": [ { "address": "127.0.0.1:5432" } ] } }
        """;

    private static string[] Problems(string listeners, string pools = Pools) =>
        [.. ConfigLoader.Parse($$"""{ "listeners": { {{listeners}} }, {{pools}} }""", "c.json").Errors.Select(e => $"{e.Path}: {(e.IsError ? "" : "warning: ")}{e.Message}")];

    [Fact]
    public void Parse_ListenerTlsMistakes_EachReported()
    {
        var problems = Problems("""
            "web": { "bind": "127.0.0.1:443", "routes": [ { "pool": "web" } ], "redirectToHttps": 443,
                     "tls": { "certificates": [ { "cert": "a.pem", "hosts": ["a.test", "bad host"] }, { "cert": "b.pem", "hosts": ["A.test"] } ],
                              "default": 2, "minVersion": "1.1", "hsts": "forever", "certs": [] } },
            "db": { "protocol": "tcp", "bind": "127.0.0.1:5433", "pool": "db", "tls": { "certificates": [] } }
            """);

        Assert.Equal(
            [
                "listeners.web.redirectToHttps: redirectToHttps is for a cleartext http listener (one without 'tls')",
                "listeners.web.tls.certificates[0].hosts[1]: 'bad host' is not a host name; use 'example.com' or '*.example.com'",
                "listeners.web.tls.certificates[1].hosts[0]: host 'A.test' is also listed by certificates[0]",
                "listeners.web.tls.default: default must be the index of a certificate, 0-1, got 2",
                "listeners.web.tls.minVersion: unknown TLS version '1.1' (did you mean '1.2'?)",
                "listeners.web.tls.hsts: 'forever' is not a Strict-Transport-Security value; write e.g. \"max-age=31536000; includeSubDomains\" (RFC 6797 section 6.1)",
                "listeners.web.tls.certs: unknown field 'certs'; expected one of: certificates, default, minVersion, hsts, cipherSuites, ocspStapling",
                "listeners.db.tls: 'tls' is for http listeners; a tcp listener passes TLS through to its backends untouched",
            ],
            problems);
    }

    [Fact]
    public void Parse_CipherSuites_IanaNamesOnly()
    {
        var problems = Problems("""
            "web": { "bind": "127.0.0.1:443", "routes": [ { "pool": "web" } ],
                     "tls": { "certificates": [ { "cert": "a.pem" } ], "ocspStapling": "yes",
                              "cipherSuites": [ "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256", "tls_nope" ] } },
            "plain": { "bind": "127.0.0.1:80", "routes": [ { "pool": "web" } ], "tls": { "certificates": [ { "cert": "a.pem" } ], "cipherSuites": [] } }
            """,
            """ "pools": { "web": { "backends": [ { "address": "http://127.0.0.1:5001" } ] } } """);

        Assert.Equal(
            [
                "listeners.web.tls.ocspStapling: expected true or false, got a string",
                "listeners.web.tls.cipherSuites[1]: 'ECDHE-RSA-AES128-GCM-SHA256' is not a cipher suite name; write IANA names such as TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (OpenSSL names like ECDHE-ECDSA-CHACHA20-POLY1305 are not accepted)",
                "listeners.web.tls.cipherSuites[3]: 'tls_nope' is not a cipher suite name; write IANA names such as TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (OpenSSL names like ECDHE-ECDSA-CHACHA20-POLY1305 are not accepted)",
                "listeners.plain.tls.cipherSuites: an empty list offers no cipher suite; leave 'cipherSuites' out for the defaults",
            ],
            problems);
    }

    [Fact]
    public void Parse_RedirectOnlyListener_NeedsNoRoutes()
    {
        var problems = Problems("""
            "plain": { "bind": "127.0.0.1:80", "redirectToHttps": 443 },
            "web": { "bind": "127.0.0.1:443", "routes": [ { "pool": "web" } ], "tls": { "certificates": [ { "cert": "a.pem" } ] } },
            "db": { "protocol": "tcp", "bind": "127.0.0.1:5433", "pool": "db" }
            """);

        Assert.Empty(problems);
    }

    [Fact]
    public void Parse_PoolTls_CheckedAgainstPoolKind()
    {
        var problems = Problems(
            """
            "web": { "bind": "127.0.0.1:80", "routes": [ { "pool": "web" } ] },
            "db": { "protocol": "tcp", "bind": "127.0.0.1:5433", "pool": "db" }
            """,
            """
            "pools": { "web": { "tls": { "insecureSkipVerify": true, "serverName": "-x-", "clientKey": "k.pem" },
                                "backends": [ { "address": "https://127.0.0.1:5001" } ] },
                       "db": { "tls": { "caFile": "ca.pem" }, "backends": [ { "address": "127.0.0.1:5432" } ] } }
            """);

        Assert.Equal(
            [
                "pools.web.tls.insecureSkipVerify: warning: backend certificates are not verified: anyone on the path can read and change this traffic",
                "pools.web.tls.serverName: '-x-' is not a host name",
                "pools.web.tls.clientKey: clientKey needs clientCert, the certificate it belongs to",
                "pools.db.tls: 'tls' is for the https:// backends of http pools; a tcp pool passes bytes through untouched",
            ],
            problems);
    }

    [Fact]
    public void Diff_SameTlsBlockParsedTwice_NoChange()
    {
        const string Json = """
            { "listeners": { "web": { "bind": "127.0.0.1:443", "routes": [ { "pool": "web" } ],
                                      "tls": { "certificates": [ { "cert": "a.pem", "hosts": ["a.test"] } ] } } },
              "pools": { "web": { "backends": [ { "address": "http://127.0.0.1:5001" } ] } } }
            """;
        var from = ConfigLoader.Parse(Json, "c.json").Config!;
        var to = ConfigLoader.Parse(Json.Replace("a.test", "b.test", StringComparison.Ordinal), "c.json").Config!;

        Assert.Empty(ConfigDiff.Compute(from, ConfigLoader.Parse(Json, "c.json").Config!));
        Assert.Equal(
            """~listener web (tls.certificates [{"cert":"a.pem","hosts":["a.test"]}] → [{"cert":"a.pem","hosts":["b.test"]}])""",
            Assert.Single(ConfigDiff.Compute(from, to)).ToString());
    }
}

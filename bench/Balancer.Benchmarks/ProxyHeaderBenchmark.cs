using System.Buffers;
using System.Net;
using Balancer.Core.ProxyProtocol;
using BenchmarkDotNet.Attributes;

namespace Balancer.Benchmarks;

/// <summary>
/// PROXY protocol headers: writing one per backend connection (<c>proxyProtocol</c> pools) and
/// parsing one per inbound connection (<c>acceptProxyProtocol</c> listeners), v1 and v2, IPv4 and IPv6.
/// </summary>
[MemoryDiagnoser]
public class ProxyHeaderBenchmark
{
    private readonly byte[] _buffer = new byte[ProxyHeaderWriter.MaxLength];
    private ProxyHeader _header = ProxyHeader.Unknown;
    private ReadOnlySequence<byte> _encoded;

    [Params("v1", "v2")]
    public string Version { get; set; } = "v1";

    [Params("ipv4", "ipv6")]
    public string Family { get; set; } = "ipv4";

    [GlobalSetup]
    public void Setup()
    {
        _header = Family == "ipv4"
            ? new ProxyHeader(IPEndPoint.Parse("192.168.10.20:56324"), IPEndPoint.Parse("10.0.0.1:443"))
            : new ProxyHeader(IPEndPoint.Parse("[2001:db8::1234:5678]:56324"), IPEndPoint.Parse("[2001:db8::1]:443"));
        var length = ProxyHeaderWriter.Write(Version, _header, _buffer);
        // The header followed by the first bytes of the proxied stream, as a parser sees it.
        _encoded = new ReadOnlySequence<byte>([.. _buffer.AsSpan(0, length), .. "GET / HTTP/1.1\r\n"u8]);
    }

    [Benchmark]
    public int Write() => ProxyHeaderWriter.Write(Version, _header, _buffer);

    [Benchmark]
    public ProxyParseResult Parse() => ProxyHeaderParser.Parse(_encoded);
}

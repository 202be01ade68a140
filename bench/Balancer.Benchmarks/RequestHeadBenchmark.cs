using System.Net;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Http.Forwarding;
using Balancer.Http.Http1;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;

namespace Balancer.Benchmarks;

/// <summary>
/// The lean forwarder's per-request head: the route's <see cref="ForwardingPlan"/> written as HTTP/1.1 bytes, for
/// wrk's bare request (Host only) and a browser's (nine headers).
/// </summary>
[MemoryDiagnoser]
public class RequestHeadBenchmark
{
    private readonly byte[] _buffer = new byte[4096];
    private Http1ConnectionPool _pool = null!;
    private ForwardingPlan _plan = null!;
    private DefaultHttpContext _context = null!;

    [Params("wrk", "browser")]
    public string Request { get; set; } = "wrk";

    [GlobalSetup]
    public void Setup()
    {
        var time = TimeProvider.System;
        _pool = Http1ConnectionPool.Create(new BackendState("web", "http://127.0.0.1:9000", 1, time, TimeSpan.FromSeconds(10)), time)!;
        _plan = ForwardingPlan.For(new ListenerConfig(), new ForwardedFor([]), new RouteConfig { Pool = "web" });
        _context = new DefaultHttpContext();
        _context.Request.Method = "GET";
        _context.Request.Protocol = "HTTP/1.1";
        _context.Request.Scheme = "http";
        _context.Request.Path = "/";
        _context.Connection.RemoteIpAddress = IPAddress.Loopback;
        _context.Request.Headers.Host = "127.0.0.1:8080";
        if (Request == "browser")
        {
            var headers = _context.Request.Headers;
            headers.UserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
            headers.Accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
            headers.AcceptLanguage = "en-US,en;q=0.5";
            headers.AcceptEncoding = "gzip, deflate, br";
            headers.Connection = "keep-alive";
            headers.Cookie = "session=0123456789abcdef; theme=dark";
            headers.Referer = "http://127.0.0.1:8080/";
            headers["Upgrade-Insecure-Requests"] = "1";
        }
    }

    [Benchmark]
    public int Write()
    {
        Http1RequestHead.TryWrite(_context, _plan, _pool, _buffer, out var length);
        return length;
    }
}

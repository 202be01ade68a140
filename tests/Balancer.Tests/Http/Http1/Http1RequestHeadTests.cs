using System.Net;
using System.Text;
using Balancer.Core.Configuration;
using Balancer.Core.Model;
using Balancer.Http.Forwarding;
using Balancer.Http.Http1;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Balancer.Tests.Http.Http1;

/// <summary>The request head the lean forwarder writes: the plan's, in the bytes HttpClient would send for it.</summary>
public sealed class Http1RequestHeadTests
{
    private static readonly TimeProvider s_time = new FakeTimeProvider();
    private static readonly Http1ConnectionPool s_pool =
        Http1ConnectionPool.Create(new BackendState("web", "http://127.0.0.1:9000", 1, s_time, TimeSpan.FromSeconds(10)), s_time)!;

    [Fact]
    public void TryWrite_Get_MethodTargetHostHeadersAndThisHop()
    {
        var context = Request("get", "/a", "?x=1", ("Host", "front.test"), ("Accept", "*/*"));

        Assert.Equal(
            "GET /a?x=1 HTTP/1.1\r\nHost: front.test\r\nAccept: */*\r\nX-Forwarded-For: 192.0.2.9\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: front.test\r\n\r\n",
            Write(context));
    }

    [Fact]
    public void TryWrite_ClientSentNoHost_TheBackendsAuthority()
    {
        var context = Request("GET", "/", "");
        context.Request.Protocol = "HTTP/1.0";

        Assert.StartsWith("GET / HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n", Write(context));
    }

    [Theory]
    [InlineData("/p q/\u00e9", "", "/p%20q/%C3%A9")]
    [InlineData("/a/./b", "", "/a/b")] // as Uri makes it
    [InlineData("/plain-(path)~", "?q=a b", "/plain-(path)~?q=a%20b")]
    public void TryWrite_TargetsThatNeedIt_EscapedAsUriEscapesThem(string path, string query, string target)
    {
        var context = Request("GET", path, "", ("Host", "h"));
        context.Request.QueryString = new QueryString(query);

        var head = Write(context);

        Assert.StartsWith($"GET {target} HTTP/1.1\r\n", head);
    }

    [Theory]
    [InlineData("POST", null, null, true)] // HttpClient marks a bodyless POST, PUT, PATCH or custom method
    [InlineData("PURGE", null, null, true)]
    [InlineData("DELETE", null, null, false)]
    [InlineData("GET", null, null, false)]
    [InlineData("GET", "Content-Type", "text/plain", true)] // YARP gives a content header an empty content
    [InlineData("POST", "Content-Length", "5", false)] // the client's own, once
    public void TryWrite_BodylessRequests_ContentLengthZeroWhereHttpClientSendsIt(string method, string? header, string? value, bool zero)
    {
        var context = Request(method, "/", "", ("Host", "h"));
        if (header is not null)
        {
            context.Request.Headers[header] = value;
        }

        var head = Write(context);

        Assert.Equal(zero, head.Contains("Content-Length: 0\r\n", StringComparison.Ordinal));
        Assert.True(head.Split("Content-Length").Length <= 2);
    }

    [Fact]
    public void TryWrite_RepeatedHeaderOrNonAscii_DeclinedForYarp()
    {
        var repeated = Request("GET", "/", "", ("Host", "h"));
        repeated.Request.Headers["X-Multi"] = new StringValues(["a", "b"]);
        var latin = Request("GET", "/", "", ("Host", "h"), ("X-Latin", "caf\u00e9"));

        Assert.Equal(Http1RequestHead.Result.Declined, Http1RequestHead.TryWrite(repeated, Plan(), s_pool, new byte[4096], out _));
        Assert.Equal(Http1RequestHead.Result.Declined, Http1RequestHead.TryWrite(latin, Plan(), s_pool, new byte[4096], out _));
    }

    [Fact]
    public void TryWrite_BufferTooSmall_SaysSoAndWritesWholeInALargerOne()
    {
        var context = Request("GET", "/", "", ("Host", "h"), ("X-Long", new string('l', 200)));

        Assert.Equal(Http1RequestHead.Result.BufferTooSmall, Http1RequestHead.TryWrite(context, Plan(), s_pool, new byte[64], out _));
        Assert.EndsWith($"X-Long: {new string('l', 200)}\r\nX-Forwarded-For: 192.0.2.9\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\n\r\n", Write(context));
    }

    [Fact]
    public void TryWrite_RouteRewritesPath_RewrittenTargetKeepsTheQuery()
    {
        var plan = new ForwardingPlan(ListenerForwarders.Auto, new ForwardedFor([]), HostRule.Keep, new PathRewrite(new PathString("/api"), new PathString("/v2")), HeaderEdits.None, HeaderEdits.None);

        Assert.StartsWith("GET /v2/users?id=1 HTTP/1.1\r\n", Write(Request("GET", "/api/users", "?id=1", ("Host", "h")), plan));
    }

    private static ForwardingPlan Plan() => ForwardingPlan.For(new ListenerConfig(), new ForwardedFor([]), new RouteConfig());

    private static string Write(HttpContext context, ForwardingPlan? plan = null)
    {
        var buffer = new byte[4096];
        Assert.Equal(Http1RequestHead.Result.Written, Http1RequestHead.TryWrite(context, plan ?? Plan(), s_pool, buffer, out var length));
        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    private static DefaultHttpContext Request(string method, string path, string query, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Protocol = "HTTP/1.1";
        context.Request.Scheme = "http";
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.9");
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }
}

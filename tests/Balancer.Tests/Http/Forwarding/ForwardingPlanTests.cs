using System.Diagnostics;
using System.Net;
using Balancer.Core.Configuration;
using Balancer.Http.Forwarding;
using Microsoft.AspNetCore.Http;

namespace Balancer.Tests.Http.Forwarding;

/// <summary>The forwarding contract both forwarders apply, on a <see cref="DefaultHttpContext"/>.</summary>
public sealed class ForwardingPlanTests
{
    [Fact]
    public void WriteHead_DefaultPlan_ClientHeadersLessHopByHopThenThisHop()
    {
        var context = Request(("Host", "front.test:8080"), ("Accept", "*/*"), ("Connection", "X-Secret"), ("X-Secret", "s"), ("Keep-Alive", "5"),
            ("TE", "trailers"), ("Proxy-Authorization", "x"), ("X-Forwarded-Proto", "ftp"), ("X-Forwarded-Host", "evil"), ("X-Kept", "k"));

        var head = Write(Plan(), context);

        Assert.Equal("front.test:8080", head.HostValue); // the client's Host (#19 item 5)
        Assert.Equal(
            [("Accept", "*/*"), ("X-Kept", "k"), ("X-Forwarded-For", "192.0.2.9"), ("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", "front.test:8080")],
            head.Headers);
    }

    [Fact]
    public void WriteHead_NoClientHost_BackendsAuthority()
    {
        var context = Request();
        context.Request.Protocol = "HTTP/1.0";

        Assert.Null(Write(Plan(), context).HostValue);
        Assert.Null(Write(Plan(new HostRule(HostMode.Backend)), Request(("Host", "front.test"))).HostValue);
        Assert.Equal("fixed.test", Write(Plan(new HostRule(HostMode.Fixed, "fixed.test")), Request(("Host", "front.test"))).HostValue);
    }

    [Theory]
    [InlineData("192.0.2.9", "198.18.0.1", "192.0.2.9", true)] // no trusted proxies: replaced, Forwarded and X-Real-IP dropped
    [InlineData("192.0.2.0/24", "198.18.0.1", "198.18.0.1, 192.0.2.9", false)] // a trusted proxy's chain goes on
    public void WriteHead_ForwardedFor_ReplacedUnlessTheClientIsTrusted(string trusted, string received, string sent, bool dropped)
    {
        var context = Request(("X-Forwarded-For", received), ("Forwarded", "for=198.18.0.1"), ("X-Real-IP", "198.18.0.1"));
        var plan = ForwardingPlan.For(new ListenerConfig { TrustedProxies = trusted == "192.0.2.9" ? [] : [trusted] }, new ForwardedFor(trusted == "192.0.2.9" ? [] : [trusted]), new RouteConfig());

        var head = Write(plan, context);

        Assert.Equal(sent, head["X-Forwarded-For"]);
        Assert.Equal(dropped, head["Forwarded"] is null);
        Assert.Equal(dropped, head["X-Real-IP"] is null);
    }

    [Fact]
    public void WriteHead_ForwardedForNamedInConnection_ReceivedOneIgnored()
    {
        var plan = ForwardingPlan.For(new ListenerConfig(), new ForwardedFor(["192.0.2.0/24"]), new RouteConfig());

        var head = Write(plan, Request(("Connection", "X-Forwarded-For"), ("X-Forwarded-For", "198.18.0.1")));

        Assert.Equal("192.0.2.9", head["X-Forwarded-For"]);
    }

    [Fact]
    public void WriteHead_SpanCurrent_TraceContextIsBalancersNotTheClients()
    {
        const string client = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        using var span = new Activity("proxy").SetParentId(client).SetIdFormat(ActivityIdFormat.W3C);
        span.TraceStateString = "congo=t61rcWkgMzE";
        span.Start();

        var head = Write(Plan(), Request(("traceparent", client), ("tracestate", "stale=1")));

        Assert.Equal(span.Id, head["traceparent"]);
        Assert.StartsWith("00-0af7651916cd43dd8448eb211c80319c-", head["traceparent"]);
        Assert.NotEqual(client, head["traceparent"]);
        Assert.Equal("congo=t61rcWkgMzE", head["tracestate"]);
    }

    [Fact]
    public void WriteHead_NoSpan_ClientsTraceContextPassesThrough()
    {
        Assert.Null(Activity.Current);
        const string client = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        var head = Write(Plan(), Request(("traceparent", client), ("tracestate", "a=1")));

        Assert.Equal(client, head["traceparent"]);
        Assert.Equal("a=1", head["tracestate"]);
    }

    [Fact]
    public void WriteHead_ChunkedBody_ContentLengthNotForwarded()
    {
        var head = Write(Plan(), Request(("Transfer-Encoding", "chunked"), ("Content-Length", "5")));

        Assert.Null(head["Content-Length"]);
        Assert.Null(head["Transfer-Encoding"]); // hop-by-hop: the forwarder frames the body again
    }

    [Fact]
    public void WriteHead_Http2ClientWithTeTrailers_OnlyTrailersCrosses()
    {
        var context = Request(("TE", "trailers, deflate"));
        context.Request.Protocol = "HTTP/2";

        Assert.Equal("trailers", Write(Plan(), context)["TE"]);
    }

    [Fact]
    public void WriteHead_RouteEdits_AppliedAfterBalancersOwnHeaders()
    {
        var edits = new HeaderEdits([
            new HeaderEdit("X-Forwarded-Proto", HeaderEditMode.Set, "https"),
            new HeaderEdit("X-Kept", HeaderEditMode.Append, "more"),
            new HeaderEdit("X-Gone", HeaderEditMode.Remove),
            new HeaderEdit("X-New", HeaderEditMode.Append, "n"),
            new HeaderEdit("X-Reset", HeaderEditMode.Set, "one"),
            new HeaderEdit("X-Reset", HeaderEditMode.Append, "two"),
        ]);
        var plan = new ForwardingPlan(ListenerForwarders.Auto, new ForwardedFor([]), HostRule.Keep, PathRewrite.None, edits, HeaderEdits.None);

        var head = Write(plan, Request(("X-Kept", "k"), ("X-Gone", "g"), ("X-Reset", "r")));

        Assert.Equal("https", head["X-Forwarded-Proto"]);
        Assert.Equal("k, more", head["X-Kept"]); // one line, as HttpClient joins values
        Assert.Null(head["X-Gone"]);
        Assert.Equal("n", head["X-New"]);
        Assert.Equal("one, two", head["X-Reset"]);
    }

    [Fact]
    public void FinishResponse_ConnectionNamedDroppedThenRouteEdits()
    {
        var edits = new HeaderEdits([new HeaderEdit("Server", HeaderEditMode.Remove), new HeaderEdit("X-Frame-Options", HeaderEditMode.Set, "DENY")]);
        var plan = new ForwardingPlan(ListenerForwarders.Auto, new ForwardedFor([]), HostRule.Keep, PathRewrite.None, HeaderEdits.None, edits);
        var response = new DefaultHttpContext().Response;
        response.Headers["X-Hop"] = "1";
        response.Headers["Server"] = "backend";
        response.Headers["X-Kept"] = "2";

        plan.FinishResponse(response, "keep-alive, X-Hop");

        Assert.Equal(["X-Frame-Options", "X-Kept"], response.Headers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("DENY", response.Headers["X-Frame-Options"]);
    }

    [Theory]
    [InlineData("/api/users", "/api", "", "/users")]
    [InlineData("/api", "/api", "", "/")]
    [InlineData("/apis/x", "/api", "", "/apis/x")] // a prefix ends on a segment boundary
    [InlineData("/users", "", "/v2", "/v2/users")]
    [InlineData("/api/users", "/api", "/v2", "/v2/users")]
    public void PathFor_Rewrite_StripThenAdd(string path, string strip, string add, string sent)
    {
        var rewrite = new PathRewrite(strip.Length > 0 ? new PathString(strip) : PathString.Empty, add.Length > 0 ? new PathString(add) : PathString.Empty);
        var plan = new ForwardingPlan(ListenerForwarders.Auto, new ForwardedFor([]), HostRule.Keep, rewrite, HeaderEdits.None, HeaderEdits.None);
        var context = Request();
        context.Request.Path = path;

        Assert.Equal(sent, plan.PathFor(context.Request).Value);
    }

    private static ForwardingPlan Plan(HostRule? host = null) =>
        new(ListenerForwarders.Auto, new ForwardedFor([]), host ?? HostRule.Keep, PathRewrite.None, HeaderEdits.None, HeaderEdits.None);

    private static RecordingHead Write(ForwardingPlan plan, HttpContext context)
    {
        var head = new RecordingHead();
        plan.WriteHead(context, ref head);
        return head;
    }

    private static DefaultHttpContext Request(params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Protocol = "HTTP/1.1";
        context.Request.Scheme = "http";
        context.Request.Method = "GET";
        context.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.9");
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }
}

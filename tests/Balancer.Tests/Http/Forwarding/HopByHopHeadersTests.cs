using System.Reflection;
using Balancer.Http.Forwarding;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Tests.Http.Forwarding;

/// <summary>The hop-by-hop set both forwarders use: the lean path's own, and YARP's response copy, which must agree with it.</summary>
public sealed class HopByHopHeadersTests
{
    private static readonly string[] s_extra =
        ["Proxy-Authentication-Info", "Proxy-Features", "Proxy-Instruction", "Security-Scheme", "ALPN", "Close", "HTTP2-Settings", "X-Custom"];

    [Fact]
    public async Task IsFixed_SameSetYarpsResponseCopySkips()
    {
        // Every header name ASP.NET Core knows, and the rarer hop-by-hop ones, on a backend response. Not Content-Length:
        // framing, which both forwarders set from the body (YARP drops it here beside Transfer-Encoding, as RFC 9112 §6.3 asks).
        var names = typeof(HeaderNames).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!)
            .Where(n => !n.StartsWith(':') && n != HeaderNames.ContentLength).Concat(s_extra).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        using var response = new HttpResponseMessage { Content = new ByteArrayContent([]) };
        foreach (var name in names)
        {
            if (!response.Headers.TryAddWithoutValidation(name, "1"))
            {
                response.Content.Headers.TryAddWithoutValidation(name, "1");
            }
        }

        var context = new DefaultHttpContext();
        await HttpTransformer.Empty.TransformResponseAsync(context, response, CancellationToken.None);

        var skipped = names.Where(n => !context.Response.Headers.ContainsKey(n)).Order(StringComparer.OrdinalIgnoreCase);
        Assert.Equal(names.Where(HopByHopHeaders.IsFixed).Order(StringComparer.OrdinalIgnoreCase), skipped);
        Assert.Equal(17, names.Count(HopByHopHeaders.IsFixed));
    }

    [Theory]
    [InlineData("keep-alive", null)]
    [InlineData("close", null)]
    [InlineData("Upgrade", null)]
    [InlineData("keep-alive, X-A", "X-A")]
    [InlineData(" X-A ,x-b,,close ", "X-A|x-b")]
    public void Named_ConnectionHeader_HeaderNamesWithoutItsOptions(string connection, string? named)
    {
        Assert.Equal(named?.Split('|'), HopByHopHeaders.Named(connection));
    }
}

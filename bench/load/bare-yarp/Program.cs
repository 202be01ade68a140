// A bare YARP proxy: one listener, one cluster of the backends named on the command line,
// round-robin, no logging providers, YARP's default transforms. bench/load/run.sh runs it next
// to Balancer so the difference is Balancer's own work.
//   bare-yarp 127.0.0.1:PORT http://127.0.0.1:B1 http://127.0.0.1:B2 ...
// With BARE_YARP_HTTP2=1 (the grpc scenario) it speaks HTTP/2 only on both legs: h2c with prior knowledge from
// clients, and to the backends (what Balancer's httpVersion "2" does).
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

var bind = IPEndPoint.Parse(args[0]);
var http2 = Environment.GetEnvironmentVariable("BARE_YARP_HTTP2") == "1";
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.Listen(bind, listen => listen.Protocols = http2 ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2);
});
var destinations = args.Skip(1).Select((address, i) => (Key: $"b{i}", Value: new DestinationConfig { Address = address }))
    .ToDictionary(d => d.Key, d => d.Value);
var request = http2 ? new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact } : null;
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backends", Match = new RouteMatch { Path = "/{**rest}" } }],
    [new ClusterConfig { ClusterId = "backends", LoadBalancingPolicy = "RoundRobin", Destinations = destinations, HttpRequest = request }]);
var app = builder.Build();
app.MapReverseProxy();
app.Run();

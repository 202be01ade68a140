// A bare YARP proxy: one listener, one cluster of the backends named on the command line,
// round-robin, no logging providers, YARP's default transforms. bench/load/run.sh runs it next
// to Balancer so the difference is Balancer's own work.
//   bare-yarp 127.0.0.1:PORT http://127.0.0.1:B1 http://127.0.0.1:B2 ...
using System.Net;
using Yarp.ReverseProxy.Configuration;

var bind = IPEndPoint.Parse(args[0]);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.Listen(bind);
});
var destinations = args.Skip(1).Select((address, i) => (Key: $"b{i}", Value: new DestinationConfig { Address = address }))
    .ToDictionary(d => d.Key, d => d.Value);
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "backends", Match = new RouteMatch { Path = "/{**rest}" } }],
    [new ClusterConfig { ClusterId = "backends", LoadBalancingPolicy = "RoundRobin", Destinations = destinations }]);
var app = builder.Build();
app.MapReverseProxy();
app.Run();

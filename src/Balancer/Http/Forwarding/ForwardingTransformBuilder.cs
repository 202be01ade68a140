using Balancer.Tls;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Balancer.Http.Forwarding;

/// <summary>
/// Replaces YARP's transform builder for one listener: each route YARP builds (at start-up and whenever a reload changes
/// it, which every reload does: see <see cref="ProxyConfigProvider"/>) gets a <see cref="ForwardingTransformer"/> over the
/// plan the config provider made for it. Routes carry no YARP transforms of their own to validate.
/// </summary>
internal sealed class ForwardingTransformBuilder(ProxyConfigProvider routes, ListenerTls? tls, TimeProvider time) : ITransformBuilder
{
    public IReadOnlyList<Exception> ValidateRoute(RouteConfig route) => [];

    public IReadOnlyList<Exception> ValidateCluster(ClusterConfig cluster) => [];

    public HttpTransformer Build(RouteConfig route, ClusterConfig? cluster) => new ForwardingTransformer(routes.PlanOf(route), tls, time);

    public HttpTransformer Create(Action<TransformBuilderContext> action) =>
        throw new NotSupportedException("Balancer's listeners build their transforms from ForwardingPlan; direct forwarding is not used.");
}

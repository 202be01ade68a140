using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http.Http1;

/// <summary>The lean forwarder's report of a failed exchange, where YARP would have put its own.</summary>
internal sealed class Http1ErrorFeature(ForwarderError error, Exception? exception) : IForwarderErrorFeature
{
    public ForwarderError Error { get; } = error;

    public Exception? Exception { get; } = exception;
}

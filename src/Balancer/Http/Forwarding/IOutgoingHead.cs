using Microsoft.Extensions.Primitives;

namespace Balancer.Http.Forwarding;

/// <summary>
/// Where a forwarder takes the headers of a request it sends, as <see cref="ForwardingPlan"/> lists them: the lean
/// forwarder writes them as bytes, YARP's adds them to its HttpRequestMessage.
/// </summary>
internal interface IOutgoingHead
{
    /// <summary>The request's <c>Host</c>; null for the backend's authority.</summary>
    void Host(string? value);

    /// <summary>One header with its values (more than one only when the client repeated it).</summary>
    void Header(string name, StringValues values);
}

using Balancer.Core.Routing;
using Balancer.Http.Forwarding;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace Balancer.Http.Routing;

/// <summary>
/// One request to copy to a shadow pool: its method, the path and headers the route's <see cref="ForwardingPlan"/>
/// makes of it (so the shadow sees what the primary backend sees), and its body once the forwarder has read it.
/// Taken on the request's thread; sent later by <see cref="MirrorDispatcher"/>, which picks the shadow backend.
/// </summary>
internal sealed class MirrorCopy
{
    private readonly List<KeyValuePair<string, StringValues>> _contentHeaders = [];

    private MirrorCopy(HttpRequest request, ForwardingPlan plan, RouteStats stats, string pool, HttpMessageInvoker client)
    {
        Stats = stats;
        Pool = pool;
        Client = client;
        Message = new HttpRequestMessage(new HttpMethod(request.Method), (Uri?)null) { Version = System.Net.HttpVersion.Version11 };
        Path = plan.PathFor(request);
        Query = request.QueryString;
    }

    public RouteStats Stats { get; }

    /// <summary>The shadow pool's client, as YARP built it for the pool's cluster (its TLS settings included).</summary>
    public HttpMessageInvoker Client { get; }

    /// <summary>The shadow pool.</summary>
    public string Pool { get; }

    /// <summary>The request to send, without its URI (set for the backend chosen) or body.</summary>
    public HttpRequestMessage Message { get; }

    public PathString Path { get; }

    public QueryString Query { get; }

    /// <summary>Takes the copy of <paramref name="context"/>'s request as <paramref name="plan"/> forwards it.</summary>
    public static MirrorCopy Capture(HttpContext context, ForwardingPlan plan, RouteStats stats, string pool, HttpMessageInvoker client)
    {
        var copy = new MirrorCopy(context.Request, plan, stats, pool, client);
        var head = new Head(copy);
        plan.WriteHead(context, ref head);
        return copy;
    }

    /// <summary>Gives the copy the body the forwarder read (none for a body-less request).</summary>
    public void SetBody(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty && _contentHeaders.Count == 0)
        {
            return;
        }

        Message.Content = new ReadOnlyMemoryContent(body);
        foreach (var (name, values) in _contentHeaders)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue; // the content states its own length
            }

            Message.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
    }

    /// <summary>Points the copy at <paramref name="backend"/>.</summary>
    public void Target(string backend) => Message.RequestUri = RequestUtilities.MakeDestinationAddress(backend, Path, Query);

    private readonly ref struct Head(MirrorCopy copy) : IOutgoingHead
    {
        public void Host(string? value) => copy.Message.Headers.Host = value;

        public void Header(string name, StringValues values)
        {
            if (!copy.Message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                copy._contentHeaders.Add(new(name, values)); // a content header: it goes on the body once there is one
            }
        }
    }
}

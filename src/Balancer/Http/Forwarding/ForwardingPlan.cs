using System.Diagnostics;
using Balancer.Core.Configuration;
using Microsoft.Extensions.Primitives;

namespace Balancer.Http.Forwarding;

/// <summary>
/// One route's forwarding contract, built when the config is loaded or reloaded and applied by both forwarders — the
/// lean HTTP/1.1 one (<see cref="Http1.Http1RequestHead"/>, <see cref="Http1.Http1ResponseCopier"/>) and YARP's
/// (<see cref="ForwardingTransformer"/>) — so that neither can drift from the other (STYLE habit 15).
/// <para>The request sent: the route's <see cref="Host"/> (the client's by default) and <see cref="Path"/>; the
/// client's headers less the hop-by-hop ones (RFC 9110 §7.6.1: <see cref="HopByHopHeaders"/>) and those this hop
/// rewrites; then <c>X-Forwarded-For</c> (<see cref="ForwardedFor"/>), <c>-Proto</c> and <c>-Host</c>; the W3C trace
/// context of Balancer's current span, when tracing made one, in place of the client's; last the route's header edits.
/// The response returned: the backend's headers less the hop-by-hop ones, then the route's edits.</para>
/// </summary>
internal sealed class ForwardingPlan
{
    private const string ForwardedProto = "X-Forwarded-Proto";
    private const string ForwardedHost = "X-Forwarded-Host";
    private const string TraceParent = "traceparent";
    private const string TraceState = "tracestate";

    private readonly ForwardedFor _forwardedFor;

    public ForwardingPlan(string forwarder, ForwardedFor forwardedFor, HostRule host, PathRewrite path, HeaderEdits requestHeaders, HeaderEdits responseHeaders)
    {
        LeanAllowed = forwarder == ListenerForwarders.Auto;
        _forwardedFor = forwardedFor;
        Host = host;
        Path = path;
        RequestHeaders = requestHeaders;
        ResponseHeaders = responseHeaders;
    }

    /// <summary>The listener's <c>X-Forwarded-For</c> rule; it also says who the client is (<c>client-ip</c> keys).</summary>
    public ForwardedFor ForwardedFor => _forwardedFor;

    /// <summary>Whether the listener lets the lean forwarder carry the requests it can (<c>forwarder: auto</c>).</summary>
    public bool LeanAllowed { get; }

    public HostRule Host { get; }

    public PathRewrite Path { get; }

    /// <summary>The route's edits of the request headers, applied after Balancer's own.</summary>
    public HeaderEdits RequestHeaders { get; }

    /// <summary>The route's edits of the response headers, applied after the backend's are copied.</summary>
    public HeaderEdits ResponseHeaders { get; }

    /// <summary>The plan of <paramref name="route"/> on <paramref name="listener"/>, whose X-Forwarded-For rule it shares.</summary>
    public static ForwardingPlan For(ListenerConfig listener, ForwardedFor forwardedFor, RouteConfig route)
    {
        var transforms = route.Transforms;
        var host = transforms is null || transforms.Host == TransformsConfig.KeepHost ? HostRule.Keep : new HostRule(HostMode.Fixed, transforms.Host);
        return new(listener.Forwarder, forwardedFor, host, PathRewrite.From(transforms),
            HeaderEdits.From(transforms?.RequestHeaders), HeaderEdits.From(transforms?.ResponseHeaders));
    }

    /// <summary>Gives <paramref name="head"/> the Host and headers of the request to send for <paramref name="context"/>.</summary>
    public void WriteHead<THead>(HttpContext context, ref THead head)
        where THead : IOutgoingHead, allows ref struct
    {
        var request = context.Request;
        var headers = request.Headers;
        head.Host(Host.For(request));
        var facts = new RequestFacts(context, _forwardedFor);
        foreach (var (name, values) in headers)
        {
            if (facts.Forwards(name) && (RequestHeaders.Count == 0 || !RequestHeaders.Names(name)))
            {
                head.Header(name, values);
            }
        }

        // This hop's own headers, written directly (the edits below look them up by name only when a route has edits).
        Emit(ref head, ForwardedFor.HeaderName, facts.ForwardedForValue);
        Emit(ref head, ForwardedProto, request.Scheme);
        if (request.Host.HasValue)
        {
            Emit(ref head, ForwardedHost, request.Host.ToUriComponent());
        }

        if (facts.Span is { } span)
        {
            Emit(ref head, TraceParent, span.Id);
            Emit(ref head, TraceState, span.TraceStateString);
        }

        if (facts.Http2 && HasTrailersToken(headers.TE))
        {
            // RFC 9113 §8.2.2: TE may cross an HTTP/2 hop with the value "trailers" only (YARP's rule too).
            Emit(ref head, "TE", "trailers");
        }

        for (var i = 0; i < RequestHeaders.Count; i++)
        {
            var name = RequestHeaders.NameAt(i);
            var current = RequestHeaders.Replaces(i) ? default
                : facts.Generated(name) is { Count: > 0 } generated ? generated
                : facts.Forwards(name) ? headers[name] : default;
            if (RequestHeaders.Apply(i, current) is { Count: > 0 } edited)
            {
                head.Header(name, edited.Count == 1 ? edited : string.Join(Separator(name), edited.ToArray()));
            }
        }
    }

    /// <summary>The path to send (the client's unless the route rewrites it).</summary>
    public PathString PathFor(HttpRequest request) => Path.IsNone ? request.Path : Path.Apply(request);

    /// <summary>
    /// Finishes a response whose headers a forwarder has copied from the backend, less the fixed hop-by-hop set: drops
    /// those the backend's <paramref name="connection"/> header named, applies the route's edits, then adds the pool's
    /// affinity cookie, <paramref name="setCookie"/>, when the pick gave the client a new one (after the edits: a route
    /// that strips the backend's cookies leaves Balancer's own).
    /// </summary>
    public void FinishResponse(HttpResponse response, StringValues connection, string? setCookie = null)
    {
        if (HopByHopHeaders.Named(connection) is { } named)
        {
            foreach (var name in named)
            {
                response.Headers.Remove(name);
            }
        }

        if (ResponseHeaders.Count > 0)
        {
            ResponseHeaders.ApplyTo(response.Headers);
        }

        if (setCookie is not null)
        {
            response.Headers.Append(Microsoft.Net.Http.Headers.HeaderNames.SetCookie, setCookie);
        }
    }

    private void Emit<THead>(ref THead head, string name, StringValues value)
        where THead : IOutgoingHead, allows ref struct
    {
        if (value.Count > 0 && (RequestHeaders.Count == 0 || !RequestHeaders.Names(name)))
        {
            head.Header(name, value);
        }
    }

    private static bool HasTrailersToken(StringValues te)
    {
        foreach (var value in te)
        {
            foreach (var token in (value ?? "").Split(',', StringSplitOptions.TrimEntries))
            {
                if (token.Equals("trailers", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // One line per header, joined as HttpClient joins a repeated header (Cookie with "; ", RFC 6265 §5.4).
    private static string Separator(string name) => name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? "; " : ", ";

    /// <summary>What the request says about this hop, worked out once per request.</summary>
    private readonly ref struct RequestFacts
    {
        private readonly HttpRequest _request;
        private readonly string[]? _named;
        private readonly string? _forwardedFor;
        private readonly bool _stripUntrusted;
        private readonly Activity? _activity;
        private readonly bool _chunked;

        public RequestFacts(HttpContext context, ForwardedFor rule)
        {
            _request = context.Request;
            var headers = _request.Headers;
            _named = HopByHopHeaders.Named(headers.Connection);
            // A client naming X-Forwarded-For in Connection has it dropped before this hop's is worked out.
            var received = HopByHopHeaders.IsNamed(_named, ForwardedFor.HeaderName) ? default : headers[ForwardedFor.HeaderName];
            if (rule.TryCompute(context, received, out var forwardedFor, out var trusted))
            {
                _forwardedFor = forwardedFor;
                _stripUntrusted = !trusted;
            }

            // Tracing on: the backend's span is a child of Balancer's (W3C Trace Context); off, the client's passes through.
            _activity = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity : null;
            _chunked = headers.TransferEncoding.Count > 0;
            Http2 = HttpProtocol.IsHttp2(_request.Protocol) || HttpProtocol.IsHttp3(_request.Protocol);
        }

        public bool Http2 { get; }

        /// <summary>The X-Forwarded-For to send; null when the client has no address.</summary>
        public string? ForwardedForValue => _forwardedFor;

        /// <summary>Balancer's current span when tracing made one: its trace context replaces the client's.</summary>
        public Activity? Span => _activity;

        /// <summary>Whether the client's <paramref name="name"/> header is passed on as it came.</summary>
        public bool Forwards(string name) =>
            !(name.StartsWith(':')
                || name.Equals("Host", StringComparison.OrdinalIgnoreCase)
                || HopByHopHeaders.IsFixed(name)
                || IsGenerated(name)
                || (_stripUntrusted && ForwardedFor.IsUntrustedOnly(name))
                || HopByHopHeaders.IsNamed(_named, name)
                // RFC 9112 §6.3: Transfer-Encoding overrides Content-Length, which must then not be forwarded.
                || (_chunked && name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)));

        /// <summary>The value this hop gives <paramref name="name"/>; empty for a header it does not write.</summary>
        public StringValues Generated(string name) => name switch
        {
            _ when name.Equals(ForwardedFor.HeaderName, StringComparison.OrdinalIgnoreCase) => _forwardedFor,
            _ when name.Equals(ForwardedProto, StringComparison.OrdinalIgnoreCase) => _request.Scheme,
            _ when name.Equals(ForwardedHost, StringComparison.OrdinalIgnoreCase) => _request.Host.HasValue ? _request.Host.ToUriComponent() : default,
            _ when _activity is null => default,
            _ when name.Equals(TraceParent, StringComparison.OrdinalIgnoreCase) => _activity.Id,
            _ when name.Equals(TraceState, StringComparison.OrdinalIgnoreCase) => _activity.TraceStateString,
            _ => default,
        };

        private bool IsGenerated(string name) =>
            name.Equals(ForwardedFor.HeaderName, StringComparison.OrdinalIgnoreCase)
            || name.Equals(ForwardedProto, StringComparison.OrdinalIgnoreCase)
            || name.Equals(ForwardedHost, StringComparison.OrdinalIgnoreCase)
            || (_activity is not null && (name.Equals(TraceParent, StringComparison.OrdinalIgnoreCase) || name.Equals(TraceState, StringComparison.OrdinalIgnoreCase)));
    }
}

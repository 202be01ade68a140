namespace Balancer.Http;

/// <summary>The name of the listener a proxy pipeline serves, for logs and the access log.</summary>
internal sealed record ListenerName(string Value);

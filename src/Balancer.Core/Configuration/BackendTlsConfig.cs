namespace Balancer.Core.Configuration;

/// <summary>How an http pool talks TLS to its <c>https://</c> backends.</summary>
public sealed record BackendTlsConfig
{
    /// <summary>PEM file of the CA certificates the backends' certificates must chain to, instead of the system trust store.</summary>
    public string? CaFile { get; init; }

    /// <summary>Name sent as SNI and checked against the backends' certificates; default: the host of each backend's address.</summary>
    public string? ServerName { get; init; }

    /// <summary>UNSAFE: accept any backend certificate, so anyone on the path can read and change the traffic. Default false.</summary>
    public bool InsecureSkipVerify { get; init; }

    /// <summary>PEM file of a client certificate presented to the backends (mutual TLS); null for none.</summary>
    public string? ClientCert { get; init; }

    /// <summary>PEM file of the client certificate's private key; null when it is in <see cref="ClientCert"/>.</summary>
    public string? ClientKey { get; init; }
}

using Balancer.Core.Configuration;

namespace Balancer.Tls;

/// <summary>
/// A pool's <c>tls</c> block carried in its YARP cluster's metadata, so the HTTP client factory sees it and a
/// change makes YARP build a new client (YARP compares cluster metadata on reload).
/// </summary>
internal static class BackendTlsMetadata
{
    private const string Prefix = "balancer.tls.";

    public static IReadOnlyDictionary<string, string>? From(BackendTlsConfig? tls)
    {
        if (tls is null)
        {
            return null;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [Prefix + "insecureSkipVerify"] = tls.InsecureSkipVerify ? "true" : "false" };
        Add(metadata, "caFile", tls.CaFile);
        Add(metadata, "serverName", tls.ServerName);
        Add(metadata, "clientCert", tls.ClientCert);
        Add(metadata, "clientKey", tls.ClientKey);
        return metadata;
    }

    public static BackendTlsConfig? Read(IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null || !metadata.TryGetValue(Prefix + "insecureSkipVerify", out var insecure))
        {
            return null;
        }

        return new BackendTlsConfig
        {
            InsecureSkipVerify = insecure == "true",
            CaFile = metadata.GetValueOrDefault(Prefix + "caFile"),
            ServerName = metadata.GetValueOrDefault(Prefix + "serverName"),
            ClientCert = metadata.GetValueOrDefault(Prefix + "clientCert"),
            ClientKey = metadata.GetValueOrDefault(Prefix + "clientKey"),
        };
    }

    private static void Add(Dictionary<string, string> metadata, string name, string? value)
    {
        if (value is not null)
        {
            metadata[Prefix + name] = value;
        }
    }
}

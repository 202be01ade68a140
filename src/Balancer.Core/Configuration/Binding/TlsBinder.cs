namespace Balancer.Core.Configuration.Binding;

/// <summary>Binds the <c>tls</c> blocks: a listener's certificates and a pool's backend TLS.</summary>
internal static class TlsBinder
{
    /// <summary>Fields of a listener's <c>tls</c> block.</summary>
    public static readonly string[] ListenerTlsFields = ["certificates", "default", "minVersion", "hsts", "cipherSuites", "ocspStapling"];

    /// <summary>Fields of a pool's <c>tls</c> block.</summary>
    public static readonly string[] BackendTlsFields = ["caFile", "serverName", "insecureSkipVerify", "clientCert", "clientKey"];

    private static readonly string[] s_certificateFields = ["cert", "key", "hosts"];

    /// <summary>Binds a present listener <c>tls</c> block.</summary>
    public static ListenerTlsConfig BindListener(ObjectReader reader)
    {
        var defaults = new ListenerTlsConfig();
        if (!reader.Has("certificates"))
        {
            reader.Report("certificates", "missing required field 'certificates'");
        }

        return new ListenerTlsConfig
        {
            Certificates = reader.Objects("certificates", s_certificateFields)?.Select(BindCertificate).ToList() ?? defaults.Certificates,
            Default = reader.Int("default") ?? defaults.Default,
            MinVersion = reader.Choice("minVersion", "TLS version", TlsVersions.All) ?? defaults.MinVersion,
            Hsts = reader.String("hsts") ?? defaults.Hsts,
            CipherSuites = reader.Strings("cipherSuites") ?? defaults.CipherSuites,
            OcspStapling = reader.Bool("ocspStapling") ?? defaults.OcspStapling,
        };
    }

    /// <summary>Binds a present pool <c>tls</c> block.</summary>
    public static BackendTlsConfig BindBackend(ObjectReader reader)
    {
        var defaults = new BackendTlsConfig();
        return new BackendTlsConfig
        {
            CaFile = reader.String("caFile") ?? defaults.CaFile,
            ServerName = reader.String("serverName") ?? defaults.ServerName,
            InsecureSkipVerify = reader.Bool("insecureSkipVerify") ?? defaults.InsecureSkipVerify,
            ClientCert = reader.String("clientCert") ?? defaults.ClientCert,
            ClientKey = reader.String("clientKey") ?? defaults.ClientKey,
        };
    }

    private static CertificateConfig BindCertificate(ObjectReader reader) => new()
    {
        Cert = reader.RequiredString("cert"),
        Key = reader.String("key"),
        Hosts = reader.Strings("hosts"),
    };
}

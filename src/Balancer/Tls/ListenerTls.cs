using System.Net.Security;
using Balancer.Core.Configuration;
using Balancer.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Balancer.Tls;

/// <summary>
/// The TLS side of one https listener: the certificate table handshakes read (swapped whole on reload), and the
/// HSTS value responses carry.
/// </summary>
internal sealed class ListenerTls
{
    private readonly string _listener;
    private readonly ProxyServices _services;
    private readonly ILogger _logger;
    private volatile CertificateTable _table;
    private volatile ListenerTlsConfig _config;

    private ListenerTls(string listener, ListenerTlsConfig config, CertificateTable table, ProxyServices services)
    {
        _listener = listener;
        _config = config;
        _table = table;
        _services = services;
        _logger = services.Logs.CreateLogger("Balancer.Tls");
    }

    public string Listener => _listener;

    /// <summary>The certificates served now.</summary>
    public CertificateTable Table => _table;

    /// <summary>The <c>Strict-Transport-Security</c> value, or null for none.</summary>
    public string? Hsts => _config.Hsts;

    /// <summary>Loads the listener's certificates; throws <see cref="StartupException"/> naming each bad file.</summary>
    public static ListenerTls Create(string listener, ListenerTlsConfig config, ProxyServices services)
    {
        var table = CertificateTable.Load(config, Where(listener, services), services.ResolveFile, services.Time.GetUtcNow(), out var errors)
            ?? throw new StartupException(string.Join(Environment.NewLine, errors));
        return new ListenerTls(listener, config, table, services);
    }

    /// <summary>Kestrel's per-connection callback: picks the certificate by the client's SNI name.</summary>
    public ValueTask<SslServerAuthenticationOptions> OnConnection(TlsHandshakeCallbackContext context) =>
        ValueTask.FromResult(_table.OptionsFor(context.ClientHelloInfo.ServerName));

    /// <summary>
    /// Re-reads the certificate files (of <paramref name="config"/> when given, else of the running config) and swaps
    /// the table; on any problem the old table keeps serving and the problems are returned, one per line.
    /// </summary>
    public IReadOnlyList<string> Reload(ListenerTlsConfig? config = null)
    {
        var next = config ?? _config;
        var table = CertificateTable.Load(next, Where(_listener, _services), _services.ResolveFile, _services.Time.GetUtcNow(), out var errors);
        if (table is null)
        {
            return errors;
        }

        var old = _table.Certificates.Select(c => c.Pem.Leaf.Thumbprint).ToHashSet(StringComparer.Ordinal);
        _config = next;
        _table = table;
        foreach (var certificate in table.Certificates.Where(c => !old.Contains(c.Pem.Leaf.Thumbprint)))
        {
            TlsLog.CertificateLoaded(_logger, _listener, certificate.Subject, certificate.NotAfter);
        }

        return [];
    }

    private static string Where(string listener, ProxyServices services) => $"{services.ConfigPath}: listeners.{listener}.tls";
}

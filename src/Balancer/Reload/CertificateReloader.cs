using Balancer.Admin.Timeline;
using Balancer.Core.Configuration;
using Balancer.Hosting;
using Balancer.Http;
using Balancer.Tls;

namespace Balancer.Reload;

/// <summary>
/// Certificate renewal without a signal: the certificate and key files are watched like the config file, and a
/// change reloads just the certificate tables. New handshakes get the new certificate, open connections keep
/// theirs; a bad file is rejected like a bad config, and the old certificate keeps serving.
/// </summary>
internal sealed class CertificateReloader(
    RuntimeState state, ListenerSet listeners, ProxyServices services, SemaphoreSlim reloadLock, ILogger logger) : IDisposable
{
    private FileWatcher? _watcher;
    private string[] _files = [];
    private bool _lastErrorFromCertificates;

    /// <summary>Re-reads every https listener's certificate files; returns the problems, empty when all were applied.</summary>
    public async Task<IReadOnlyList<string>> ReloadAsync()
    {
        await reloadLock.WaitAsync();
        try
        {
            var before = Served();
            var errors = listeners.All.OfType<HttpListenerHost>().SelectMany(h => h.Tls?.Reload() ?? []).ToList();
            ReportRenewals(before);
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    TlsLog.CertificateRejected(logger, error);
                    state.Timeline.Record(TimelineKind.Certificate, "renewal", "certificates", "rejected", error, TimelineSeverity.Error);
                }

                state.Rejected(string.Join(Environment.NewLine, errors), services.Time.GetUtcNow());
                _lastErrorFromCertificates = true;
            }
            else if (_lastErrorFromCertificates)
            {
                // The files are good again: the error /status showed is no longer true.
                state.ClearError();
                _lastErrorFromCertificates = false;
            }

            return errors;
        }
        finally
        {
            reloadLock.Release();
        }
    }

    /// <summary>The certificates served now, by listener and file: their thumbprint and expiry.</summary>
    private Dictionary<(string Listener, string File), (string Thumbprint, DateTimeOffset NotAfter)> Served() =>
        (from listener in state.Certificates.Listeners
         from certificate in listener.Table.Certificates
         select (Key: (listener.Listener, certificate.File), Value: (certificate.Pem.Leaf.Thumbprint, certificate.NotAfter)))
        .DistinctBy(c => c.Key).ToDictionary(c => c.Key, c => c.Value);

    /// <summary>Puts each certificate that now differs from <paramref name="before"/> on the timeline.</summary>
    private void ReportRenewals(Dictionary<(string Listener, string File), (string Thumbprint, DateTimeOffset NotAfter)> before)
    {
        foreach (var listener in state.Certificates.Listeners)
        {
            foreach (var served in listener.Table.Certificates)
            {
                if (before.TryGetValue((listener.Listener, served.File), out var was) && was.Thumbprint != served.Pem.Leaf.Thumbprint)
                {
                    state.Timeline.Record(
                        TimelineKind.Certificate, "renewal", $"{listener.Listener} {served.Subject}", "renewed",
                        $"{served.File}: valid until {served.NotAfter:yyyy-MM-dd HH:mm} UTC (was {was.NotAfter:yyyy-MM-dd HH:mm} UTC)");
                }
            }
        }
    }

    /// <summary>True while the last certificate reload failed (its error is what /status shows).</summary>
    public bool HasError => _lastErrorFromCertificates;

    /// <summary>A config load succeeded (it loaded every certificate anew): its error, if any, is history.</summary>
    public void ConfigApplied() => _lastErrorFromCertificates = false;

    /// <summary>Watches the certificate and key files of <paramref name="config"/>, when they differ from those watched.</summary>
    public void Watch(BalancerConfig config)
    {
        string[] files =
        [
            .. from listener in config.Listeners.Values
               from certificate in listener.Tls?.Certificates ?? []
               from file in new[] { certificate.Cert, certificate.Key }
               where file is not null
               select services.ResolveFile(file),
        ];
        if (files.SequenceEqual(_files, StringComparer.Ordinal))
        {
            return;
        }

        _watcher?.Dispose();
        _files = files;
        _watcher = files.Length == 0 ? null : new FileWatcher(files, services.Time, ReloadAsync);
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _watcher = null;
    }
}

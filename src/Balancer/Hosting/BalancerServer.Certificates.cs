using Balancer.Core.Configuration;
using Balancer.Http;
using Balancer.Reload;
using Balancer.Tls;

namespace Balancer.Hosting;

/// <summary>
/// Certificate renewal without a signal: the certificate and key files are watched like the config file, and a
/// change reloads just the certificate tables. New handshakes get the new certificate, open connections keep
/// theirs; a bad file is rejected like a bad config, and the old certificate keeps serving.
/// </summary>
internal sealed partial class BalancerServer
{
    private FileWatcher? _certificateWatcher;
    private string[] _certificateFiles = [];
    private bool _lastErrorFromCertificates;

    /// <summary>Re-reads every https listener's certificate files; returns the problems, empty when all were applied.</summary>
    public async Task<IReadOnlyList<string>> ReloadCertificatesAsync()
    {
        await _reloadLock.WaitAsync();
        try
        {
            var errors = _listeners.Values.OfType<HttpListenerHost>().SelectMany(h => h.Tls?.Reload() ?? []).ToList();
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    TlsLog.CertificateRejected(_logger, error);
                }

                State.Rejected(string.Join(Environment.NewLine, errors), _time.GetUtcNow());
                _lastErrorFromCertificates = true;
            }
            else if (_lastErrorFromCertificates)
            {
                // The files are good again: the error /status showed is no longer true.
                State.ClearError();
                _lastErrorFromCertificates = false;
            }

            return errors;
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    /// <summary>Watches the certificate and key files of <paramref name="config"/>, when they differ from those watched.</summary>
    private void WatchCertificates(BalancerConfig config)
    {
        string[] files =
        [
            .. from listener in config.Listeners.Values
               from certificate in listener.Tls?.Certificates ?? []
               from file in new[] { certificate.Cert, certificate.Key }
               where file is not null
               select _services.ResolveFile(file),
        ];
        if (files.SequenceEqual(_certificateFiles, StringComparer.Ordinal))
        {
            return;
        }

        _certificateWatcher?.Dispose();
        _certificateFiles = files;
        _certificateWatcher = files.Length == 0 ? null : new FileWatcher(files, _time, ReloadCertificatesAsync);
    }
}

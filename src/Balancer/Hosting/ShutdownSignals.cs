using System.Runtime.InteropServices;

namespace Balancer.Hosting;

/// <summary>
/// SIGTERM, SIGINT and SIGHUP, caught from before the server starts: a stop signal that arrives while it is still
/// starting (a failover node may already be master then) is kept and honoured once it runs, instead of the runtime's
/// default of dying on the spot without resigning (exit 143). SIGHUP before the server runs is ignored: the config is
/// being read anyway.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly TaskCompletionSource<string> _signalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] _registrations;
    private volatile BalancerServer? _server;

    public ShutdownSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStop),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStop),
            PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnHangup),
        ];
    }

    /// <summary>Completes with the signal's name on the first SIGTERM or SIGINT.</summary>
    public Task<string> Signalled => _signalled.Task;

    /// <summary>From now on signals act on <paramref name="server"/>.</summary>
    public void Attach(BalancerServer server) => _server = server;

    private void OnStop(PosixSignalContext context)
    {
        context.Cancel = true;
        _server?.BeginShutdown(); // the resign advert and the withdrawal first: the peer's skew timer starts now, not after our logging
        _signalled.TrySetResult(context.Signal.ToString());
    }

    private void OnHangup(PosixSignalContext context)
    {
        context.Cancel = true;
        _server?.ReloadOnSignal();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}

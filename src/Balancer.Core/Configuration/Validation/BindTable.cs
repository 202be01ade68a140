using Balancer.Core.Configuration.Binding;

namespace Balancer.Core.Configuration.Validation;

/// <summary>Checks listen addresses and reports two TCP listeners (listeners or admin) that would take the same port.</summary>
internal sealed class BindTable(ConfigDiagnostics diagnostics)
{
    private readonly List<(string Path, string Text, BindEndpoint Endpoint)> _binds = [];

    /// <summary>Checks <paramref name="text"/> at <paramref name="path"/>; returns the endpoint when valid.</summary>
    public BindEndpoint? Add(string path, string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (AddressSyntax.CheckBind(text, out var endpoint) is { } error)
        {
            diagnostics.Report(path, error);
            return null;
        }

        // Port 0 asks the OS for a free port, so those never clash. A wildcard takes the port on every address.
        var clash = _binds.FirstOrDefault(b => endpoint.Port != 0 && b.Endpoint.Port == endpoint.Port
            && (b.Endpoint.Host == endpoint.Host || b.Endpoint.IsWildcard || endpoint.IsWildcard));
        if (clash.Path is not null)
        {
            diagnostics.Report(path, $"'{text}' takes the same port as {clash.Path} ('{clash.Text}')");
        }

        _binds.Add((path, text, endpoint));
        return endpoint;
    }
}

using Balancer.Chaos.Steps;

namespace Balancer.Chaos.Checks;

/// <summary>
/// What <c>/status</c> must show once a step has converged, derived from the model: each configured backend present
/// with the model's health, drain state and weight; each other one gone or shown removed; the running config's
/// hash; <c>config.lastError</c> null exactly when the file on disk loaded.
/// </summary>
internal sealed class Expectation(World world, IReadOnlyList<string> addresses, string runningHash, string configPath)
{
    /// <summary>Every way <paramref name="status"/> differs from the expectation; empty when it matches.</summary>
    public List<string> Differences(StatusView status)
    {
        var differences = new List<string>();
        if (status.Algorithm != world.Running.Algorithm)
        {
            differences.Add($"algorithm {status.Algorithm}, expected {world.Running.Algorithm}");
        }

        if (status.Hash != runningHash)
        {
            differences.Add($"config.hash {Short(status.Hash)}, expected {Short(runningHash)} (the running file's)");
        }

        if (world.FileValid && status.LastError is not null)
        {
            differences.Add($"config.lastError '{status.LastError}' but the file on disk is the running config");
        }
        else if (!world.FileValid && status.LastError is null)
        {
            differences.Add("config.lastError null but the file on disk is invalid");
        }
        else if (status.LastError is { } error && !error.StartsWith(configPath, StringComparison.Ordinal))
        {
            differences.Add($"config.lastError does not name the file: '{error}'");
        }

        for (var i = 0; i < addresses.Count; i++)
        {
            var view = status.Find(addresses[i]);
            var name = $"b{i}";
            if (!world.InConfig(i))
            {
                if (view is { Removed: false })
                {
                    differences.Add($"{name} shown configured, but the running config has no such backend");
                }

                continue;
            }

            if (view is null or { Removed: true })
            {
                differences.Add($"{name} {(view is null ? "missing" : "shown removed")}, but the running config has it");
                continue;
            }

            var b = world.Backends[i];
            if (view.Healthy != world.ExpectHealthy(i))
            {
                differences.Add($"{name} healthy={view.Healthy} ({view.HealthReason}), expected {world.ExpectHealthy(i)} (alive={b.Alive}, probe passes={b.HealthPass})");
            }

            if (view.Draining != b.Draining)
            {
                differences.Add($"{name} draining={view.Draining}, expected {b.Draining}");
            }

            if (view.Weight != world.WeightOf(i))
            {
                differences.Add($"{name} weight={view.Weight}, expected {world.WeightOf(i)}");
            }
        }

        return differences;
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}

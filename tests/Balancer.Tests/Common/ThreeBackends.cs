namespace Balancer.Tests.Common;

/// <summary>Base for tests that run against three real backends named a, b and c, started and stopped per test.</summary>
public abstract class ThreeBackends : IAsyncLifetime
{
    protected List<TestBackend> Backends { get; } = [];

    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "a", "b", "c" })
        {
            Backends.Add(await TestBackend.StartAsync(name));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var b in Backends)
        {
            await b.DisposeAsync();
        }
    }
}

namespace Balancer.Tests.Common;

/// <summary>A test that needs both root (network namespaces) and Debian's Chromium: skipped with the reason elsewhere, failed under CI.</summary>
public sealed class RootChromiumFactAttribute : FactAttribute
{
    public RootChromiumFactAttribute() => Skip = new RootFactAttribute().Skip ?? new ChromiumFactAttribute().Skip;
}

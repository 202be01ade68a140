using Balancer.Tests.Common;

namespace Balancer.Tests.ScaleOut;

/// <summary>
/// A fact that needs root, iproute2 and BIRD 2 (Debian <c>bird2</c>, in .ci/run's list). Like <see cref="RootFactAttribute"/>:
/// skipped with the reason on a developer machine that lacks them; under CI=true it runs, and <see cref="Require"/> fails it.
/// </summary>
public sealed class BirdFactAttribute : FactAttribute
{
    public BirdFactAttribute()
    {
        if (!RootFactAttribute.IsCi && new RootFactAttribute().Skip is { } skip)
        {
            Skip = skip;
        }
        else if (!RootFactAttribute.IsCi && !BirdDaemon.Installed)
        {
            Skip = "needs BIRD 2 (apt-get install bird2) (under CI=true this test fails instead)";
        }
    }

    /// <summary>Call first in a <see cref="BirdFactAttribute"/> test: fails it when it cannot run.</summary>
    public static void Require()
    {
        RootFactAttribute.RequireRoot();
        Assert.True(BirdDaemon.Installed, "needs BIRD 2: bird and birdc (apt-get install bird2)");
    }
}

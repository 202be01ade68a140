using System.Net;
using Balancer.Core.Failover;

namespace Balancer.Core.Tests.Failover;

/// <summary>Two heartbeat paths at 100 ms adverts: Master_Down_Interval 361 ms is the window.</summary>
public class PeerPathsTests
{
    private static readonly IPAddress _a = IPAddress.Parse("198.18.0.12");
    private static readonly IPAddress _b = IPAddress.Parse("198.18.1.12");
    private static readonly TimeSpan _window = TimeSpan.FromMilliseconds(361);

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    /// <summary>Adverts every 100 ms from <paramref name="start"/> to <paramref name="end"/> on the given paths, checked after each.</summary>
    private static List<PeerPaths.PathChange> Run(PeerPaths paths, int start, int end, params IPAddress[] on)
    {
        var changes = new List<PeerPaths.PathChange>();
        for (var t = start; t <= end; t += 100)
        {
            Array.ForEach(on, a => paths.Heard(a, Ms(t)));
            changes.AddRange(paths.Check(Ms(t + 1), _window));
        }

        return changes;
    }

    [Fact]
    public void Check_BothPathsCarryAdverts_NothingToSay()
    {
        Assert.Empty(Run(new PeerPaths([_a, _b]), 0, 2000, _a, _b));
    }

    [Fact]
    public void Check_OnePathGoesSilentWhileTheOtherWorks_SilentOnceAfterTheWindow_ThenBackOnce()
    {
        var paths = new PeerPaths([_a, _b]);
        Run(paths, 0, 1000, _a, _b);

        var silent = Run(paths, 1100, 3000, _a);
        var change = Assert.Single(silent);
        Assert.Equal((_b, true), (change.Address, change.Silent));
        Assert.InRange(change.SilentFor, _window, _window + Ms(100)); // said within one advert of the window, not before
        Assert.True(paths.IsSilent(1));

        var back = Assert.Single(Run(paths, 3100, 3500, _a, _b));
        Assert.Equal((_b, false), (back.Address, back.Silent));
        Assert.False(paths.IsSilent(1));
    }

    [Fact]
    public void Check_EveryPathSilent_NothingSaid_ThatIsTheStateMachinesBusiness()
    {
        var paths = new PeerPaths([_a, _b]);
        Run(paths, 0, 1000, _a, _b);

        Assert.Empty(paths.Check(Ms(5000), _window));
        Assert.False(paths.IsSilent(0) || paths.IsSilent(1));
    }

    [Fact]
    public void Check_APathNeverHeard_CountsFromTheFirstAdvertOnAnyPath()
    {
        var paths = new PeerPaths([_a, _b]);

        Assert.Empty(Run(paths, 0, 300, _a));
        Assert.Equal(_b, Assert.Single(Run(paths, 400, 600, _a)).Address);
    }

    [Fact]
    public void Check_CalledTwiceOrLate_SaysEachChangeOnce()
    {
        var paths = new PeerPaths([_a, _b]);
        Run(paths, 0, 500, _a, _b);
        paths.Heard(_a, Ms(900));

        Assert.Single(paths.Check(Ms(950), _window));
        Assert.Empty(paths.Check(Ms(950), _window));
        Assert.Empty(paths.Check(Ms(1000), _window));
    }

    [Fact]
    public void Heard_Ipv4MappedOrUnknownAddress_MappedOrIgnored()
    {
        var paths = new PeerPaths([_a, _b]);

        paths.Heard(_a.MapToIPv6(), Ms(10));
        paths.Heard(IPAddress.Parse("192.0.2.9"), Ms(10));

        Assert.Equal(Ms(10), paths.LastHeard(0));
        Assert.Null(paths.LastHeard(1));
    }
}

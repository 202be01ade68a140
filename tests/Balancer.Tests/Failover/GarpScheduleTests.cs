using Balancer.Failover;

namespace Balancer.Tests.Failover;

/// <summary>The gratuitous ARP timing of a master: a burst, a second set past the neighbours' ARP locktime, then refreshes.</summary>
public class GarpScheduleTests
{
    private static readonly TimeSpan _refresh = TimeSpan.FromSeconds(60);

    /// <summary>Sends every announcement the schedule asks for until <paramref name="until"/>; returns their times.</summary>
    private static List<TimeSpan> Run(GarpSchedule garp, TimeSpan until)
    {
        var sent = new List<TimeSpan>();
        while (garp.DueAt is { } due && due <= until)
        {
            sent.Add(due);
            garp.Sent(due);
        }

        return sent;
    }

    [Fact]
    public void Burst_ThenTheSameBurstTwoSecondsLater_ThenTheRefresh()
    {
        var garp = new GarpSchedule(3, _refresh);
        garp.BurstSent(TimeSpan.Zero);

        var sent = Run(garp, TimeSpan.FromSeconds(70));

        Assert.Equal([0.1, 0.2, 2.0, 2.1, 2.2, 62.2], sent.Select(t => Math.Round(t.TotalSeconds, 3)));
    }

    [Fact]
    public void RepeatOne_OneAnnouncementEachSet_RepeatZero_None()
    {
        var one = new GarpSchedule(1, TimeSpan.Zero);
        one.BurstSent(TimeSpan.Zero);
        Assert.Equal([TimeSpan.FromSeconds(2)], Run(one, TimeSpan.FromMinutes(5)));

        var none = new GarpSchedule(0, TimeSpan.Zero);
        none.BurstSent(TimeSpan.Zero);
        Assert.Null(none.DueAt);
    }

    [Fact]
    public void ANewBurstBeforeTheSecondSet_MovesTheSecondSetAfterIt_StopEndsAll()
    {
        var garp = new GarpSchedule(2, _refresh);
        garp.BurstSent(TimeSpan.Zero);
        Run(garp, TimeSpan.FromSeconds(1));
        garp.BurstSent(TimeSpan.FromSeconds(1)); // a re-announcement against a dual master

        Assert.Equal([1.1, 3.0, 3.1], Run(garp, TimeSpan.FromSeconds(10)).Select(t => Math.Round(t.TotalSeconds, 3)));

        garp.Stop();
        Assert.Null(garp.DueAt);
    }

    [Fact]
    public void Resume_AfterAReload_OnlyTheRefresh()
    {
        var garp = new GarpSchedule(5, _refresh);
        garp.Resume(TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(70), garp.DueAt);
    }
}

using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

/// <summary>#26 on the fake clock: key rotation across a running pair, and a recorded stream replayed at a restarted backup.</summary>
public class FailoverSecurityTests
{
    private static readonly TimeSpan _interval = TimeSpan.FromMilliseconds(100);
    private static readonly byte[] _old = InMemoryFailoverLink.Key;
    private static readonly byte[] _new = [.. Enumerable.Range(0x40, 32).Select(i => (byte)i)];

    [Fact]
    public void RotateKey_TheDocumentedSixStepsWithAdvertsBetween_NoRejectionNoTransition()
    {
        var link = Running();
        var steps = new (InMemoryFailoverLink.Node Node, byte[][] Keys)[]
        {
            (link.A, [_old, _new]), (link.B, [_old, _new]), // add the new key as the second line on both
            (link.A, [_new, _old]), (link.B, [_new, _old]), // swap the lines on both: the new key signs
            (link.A, [_new]), (link.B, [_new]),             // remove the old key on both
        };

        foreach (var (node, keys) in steps)
        {
            node.Machine.SetKeys(new FailoverKeyRing(keys));
            link.RunFor(10 * _interval);
        }

        foreach (var node in new[] { link.A, link.B })
        {
            var snapshot = node.Machine.GetSnapshot();
            Assert.Empty(snapshot.RejectedPackets);
            Assert.Equal(FailoverKeyRing.IdOf(_new), snapshot.SigningKeyId);
            Assert.Equal((FailoverKeyRing.IdOf(_new), 1), (snapshot.PeerKeyId, snapshot.PeerKeySlot));
        }

        Assert.Equal((2, 1), (link.A.Machine.GetSnapshot().Transitions, link.B.Machine.GetSnapshot().Transitions));
    }

    [Fact]
    public void RotateKey_SwappedOnOneNodeBeforeTheOtherHasTheNewKey_RejectedAsUnknownKeyAndTheBackupTakesOver()
    {
        var link = Running();

        link.A.Machine.SetKeys(new FailoverKeyRing([_new, _old])); // step 3 before step 2
        link.RunFor(10 * _interval);

        Assert.True(link.B.Machine.GetSnapshot().RejectedPackets["UnknownKey"] > 0);
        Assert.Equal(FailoverState.Master, link.B.State); // it no longer hears its master: the reason the doc orders the steps
    }

    [Theory]
    [InlineData(0)]    // the attacker replays from the start of the recording: all of it older than the skew
    [InlineData(1.5)]  // it starts with the last 1.5 s: younger than the 2 s skew at first
    public void ReplayedRecording_AfterTheMasterDiedAndTheBackupRestarted_TakesOverWithinMasterDownPlusSkew(double tailSeconds)
    {
        var link = Running();
        var recordFrom = link.Clock.GetTimestamp();
        link.RunFor(TimeSpan.FromSeconds(20));
        var recording = link.A.Sent.Where(s => s.At >= recordFrom).ToList(); // 20 s of the master's adverts

        // kill -9 the master; restart the backup (a new process: a new epoch) 100 ms later.
        link.Clock.Advance(_interval);
        var backup = new FailoverMachine(InMemoryFailoverLink.Options("lb2", 100) with { AdvertInterval = _interval }, new FailoverKeyRing(_old), link.Clock);
        var restartedAt = link.Clock.GetTimestamp();
        var actions = backup.Start().ToList();

        // The recording replayed in order at its own pace from the master's address, starting now.
        var start = tailSeconds == 0 ? recording[0].At : recording[^1].At - TimeSpan.FromSeconds(tailSeconds).Ticks;
        foreach (var (at, datagram) in recording.Where(r => r.At >= start))
        {
            TickUntil(backup, link.Clock, restartedAt + (at - start), actions);
            actions.AddRange(backup.OnDatagram(datagram, link.A.EndPoint));
        }

        var bound = FailoverTimers.MasterDownInterval(100, _interval) + FailoverOptions.DefaultMaxClockSkew;
        TickUntil(backup, link.Clock, restartedAt + bound.Ticks, actions);

        Assert.NotNull(_takeoverAt);
        var takenAfter = TimeSpan.FromTicks(_takeoverAt.Value - restartedAt);
        Assert.True(takenAfter <= bound, $"took over {takenAfter} after the restart; the bound is {bound}");
        Assert.Equal(FailoverEvent.MasterDownTimerExpired, actions.OfType<StateChanged>().Single(c => c.To == FailoverState.Master).Event);
        if (tailSeconds == 0)
        {
            // Not one replayed advert was taken: the takeover comes exactly Master_Down_Interval after the restart.
            Assert.Equal(FailoverTimers.MasterDownInterval(100, _interval), takenAfter);
            Assert.True(backup.GetSnapshot().RejectedPackets["Unproven"] > 0);
        }
    }

    private long? _takeoverAt;

    /// <summary>Moves the clock to <paramref name="until"/>, ticking the machine whenever a timer is due.</summary>
    private void TickUntil(FailoverMachine machine, FakeTimeProvider clock, long until, List<FailoverAction> actions)
    {
        while (machine.NextTimerDue is { } due && clock.GetTimestamp() + due.Ticks <= until)
        {
            clock.Advance(due);
            var fired = machine.Tick();
            if (fired.OfType<StateChanged>().Any(c => c.To == FailoverState.Master))
            {
                _takeoverAt ??= clock.GetTimestamp();
            }

            actions.AddRange(fired);
        }

        clock.Advance(TimeSpan.FromTicks(Math.Max(0, until - clock.GetTimestamp())));
    }

    private static InMemoryFailoverLink Running()
    {
        var link = new InMemoryFailoverLink(
            InMemoryFailoverLink.Options("lb1", 200) with { AdvertInterval = _interval },
            InMemoryFailoverLink.Options("lb2", 100) with { AdvertInterval = _interval });
        link.StartBoth();
        link.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal((FailoverState.Master, FailoverState.Backup), (link.A.State, link.B.State));
        return link;
    }
}

using System.Net;
using Balancer.Core.Failover;
using Balancer.Core.Tests.TestDoubles;
using static Balancer.Core.Failover.FailoverAction;

namespace Balancer.Core.Tests.Failover;

/// <summary>
/// The witness's part in a node (#23), every branch on a fake clock: the backup asks before taking over on silence, the
/// answer or its absence decides; an isolated master keeps or releases the VIPs. 1 s adverts: Master_Down_Interval is
/// 3.609 s at priority 100 and 3.218 s at 200; the witness's timeout 200 ms.
/// </summary>
public class FailoverMachineWitnessTests : FailoverMachineTestBase
{
    private static readonly IPEndPoint _witness = new(IPAddress.Parse("192.0.2.30"), 7947);
    private static readonly TimeSpan _timeout = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan _masterDown = FailoverTimers.MasterDownInterval(100, TimeSpan.FromSeconds(1));
    private WitnessMessage _lastQuery;

    private static FailoverOptions WithWitness(int priority, bool required = false) =>
        FakePeer.Options(priority) with { WitnessAddress = "192.0.2.30:7947", WitnessTimeout = _timeout, WitnessRequired = required };

    /// <summary>A backup that heard lb2 as master at 1 s adverts, the last advert just now.</summary>
    private FailoverMachine Backup(bool required = false)
    {
        var machine = Started(WithWitness(100, required));
        machine.OnDatagram(_peer.Advert(200), _peer.EndPoint);
        return machine;
    }

    /// <summary>Runs the clock by <paramref name="by"/>; remembers the last query sent to the witness.</summary>
    private List<FailoverAction> Run(FailoverMachine machine, TimeSpan by)
    {
        var actions = TickThrough(machine, by);
        foreach (var ask in actions.OfType<AskWitness>())
        {
            Assert.True(WitnessCodec.TryDecode(ask.Datagram.Span, new FailoverKeyRing(InMemoryFailoverLink.Key), out _lastQuery, out _));
        }

        return actions;
    }

    /// <summary>The witness's answer to the last query: it heard <paramref name="master"/> <paramref name="ago"/> ago, or none.</summary>
    private byte[] Answer(string master, TimeSpan ago, byte[]? key = null, ulong? nonce = null, byte priority = 200)
    {
        var answer = new WitnessMessage(true, master, _lastQuery.Group, 77, _lastQuery.Sequence, 0, _lastQuery.Epoch, nonce ?? _lastQuery.Sequence, ago, priority);
        var buffer = new byte[WitnessCodec.MaxLength];
        return buffer[..WitnessCodec.Encode(answer, new FailoverKeyRing(key ?? InMemoryFailoverLink.Key), buffer)];
    }

    [Fact]
    public void Backup_MasterSilent_AsksTheWitnessInsteadOfTakingOver()
    {
        var machine = Backup();

        var early = Run(machine, _masterDown - _oneTick);
        var due = Run(machine, _oneTick);

        Assert.Empty(early.OfType<AskWitness>());
        Assert.Single(due.OfType<AskWitness>());
        Assert.Equal((FailoverState.Backup, "lb1", "default"), (machine.State, _lastQuery.NodeId, _lastQuery.Group));
        Assert.Equal(_timeout, machine.NextTimerDue); // the answer's deadline; no state advert is nearer
    }

    [Fact]
    public void Backup_WitnessHearsTheMaster_StaysBackupSaysSoOnce_TakesOverWhenTheWitnessLosesItToo()
    {
        var machine = Backup();
        Run(machine, _masterDown);

        var alive = machine.OnDatagram(Answer("lb2", TimeSpan.FromMilliseconds(50)), _witness);

        Assert.Equal(FailoverState.Backup, machine.State);
        Assert.Contains("heartbeat lost, master alive per witness", Assert.Single(alive.OfType<WitnessVerdict>()).Text, StringComparison.Ordinal);
        var again = Run(machine, _masterDown - TimeSpan.FromMilliseconds(50) - _oneTick);
        Assert.Empty(again.OfType<AskWitness>()); // asks again when the master would be silent to the witness too
        Assert.Single(Run(machine, _oneTick).OfType<AskWitness>());

        var stillAlive = machine.OnDatagram(Answer("lb2", TimeSpan.FromMilliseconds(30)), _witness);
        Assert.Empty(stillAlive.OfType<WitnessVerdict>()); // the same episode: one line
        Run(machine, _masterDown);

        var dead = machine.OnDatagram(Answer("lb2", _masterDown + TimeSpan.FromMilliseconds(10)), _witness); // it died while the link was cut: silent to the witness too
        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Contains("the witness last heard lb2 as master", Assert.Single(dead.OfType<StateChanged>()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Backup_WitnessHearsNoMaster_TakesOverAtOnce()
    {
        var machine = Backup();
        Run(machine, _masterDown);

        var actions = machine.OnDatagram(Answer("", TimeSpan.MaxValue), _witness);

        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Contains("the witness hears no master", Assert.Single(actions.OfType<StateChanged>()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void VouchesForMaster_DeadMasterHeardByBothAtTheSameTimeOrLongAgo_No_CutLink_Yes()
    {
        // Killed master: the witness heard its last advert about when we did, so its age is about our silence.
        Assert.False(Vouches("lb2", _masterDown - TimeSpan.FromMilliseconds(5), _masterDown));
        Assert.False(Vouches("lb2", _masterDown - TimeSpan.FromMilliseconds(400), _masterDown));
        Assert.False(Vouches("lb2", _masterDown, TimeSpan.FromSeconds(60))); // died after the link was cut: silent to the witness too
        Assert.False(Vouches("lb1", TimeSpan.Zero, _masterDown)); // ourselves, from a stale term
        Assert.False(Vouches("", TimeSpan.MaxValue, _masterDown));
        Assert.True(Vouches("lb2", TimeSpan.FromMilliseconds(900), _masterDown)); // the link is cut, the master lives
    }

    private static bool Vouches(string master, TimeSpan heardAgo, TimeSpan silence) =>
        WitnessRole.VouchesForMaster(new WitnessMessage(true, master, "default", 1, 1, 0, HeardAgo: heardAgo), "lb1", silence, TimeSpan.FromSeconds(1), _masterDown);

    [Fact]
    public void Backup_NoAnswer_NotRequired_TakesOverExactlyAtTheTimeout_ALateAnswerChangesNothing()
    {
        var machine = Backup();
        Run(machine, _masterDown);

        Assert.Empty(Run(machine, _timeout - _oneTick).OfType<StateChanged>());
        var timedOut = Run(machine, _oneTick);

        var change = Assert.Single(timedOut.OfType<StateChanged>());
        Assert.Contains("no answer from the witness within 200 ms: taking over", change.Reason, StringComparison.Ordinal);
        Assert.Empty(machine.OnDatagram(Answer("lb2", TimeSpan.Zero), _witness).OfType<StateChanged>());
        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Equal((1L, 0L, 1L, 1L, false), (machine.GetSnapshot().Witness!.Asked, machine.GetSnapshot().Witness!.Answered,
            machine.GetSnapshot().Witness!.TimedOut, machine.GetSnapshot().Witness!.Refused, machine.GetSnapshot().Witness!.Reachable));
    }

    [Fact]
    public void Backup_NoAnswer_Required_StaysBackupAsksEveryIntervalSaysSoOnce()
    {
        var machine = Backup(required: true);

        var actions = Run(machine, _masterDown + TimeSpan.FromSeconds(5));

        Assert.Equal(FailoverState.Backup, machine.State);
        Assert.Empty(actions.OfType<StateChanged>());
        Assert.Equal(5, actions.OfType<AskWitness>().Count()); // at 3.609 s, then every 1.2 s (the timeout, then an interval)
        Assert.Contains("staying backup (witness.required)", Assert.Single(actions.OfType<WitnessVerdict>()).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Backup_AnswerTwiceOrToAnOlderQueryOrForgedOrFromElsewhere_Refused()
    {
        var machine = Backup(required: true);
        Run(machine, _masterDown);
        var older = Answer("", TimeSpan.MaxValue);
        Run(machine, _timeout + TimeSpan.FromSeconds(1)); // timed out; asked again

        Assert.Empty(machine.OnDatagram(older, _witness));
        Assert.Empty(machine.OnDatagram(Answer("", TimeSpan.MaxValue, key: FakeKey()), _witness));
        Assert.Empty(machine.OnDatagram(Answer("", TimeSpan.MaxValue), new IPEndPoint(IPAddress.Parse("192.0.2.99"), 7947)));
        Assert.Equal(FailoverState.Backup, machine.State);

        machine.OnDatagram(Answer("lb2", TimeSpan.FromMilliseconds(10)), _witness);
        Assert.Empty(machine.OnDatagram(Answer("", TimeSpan.MaxValue), _witness)); // the same query answered again
        Assert.Equal((FailoverState.Backup, 4L), (machine.State, machine.GetSnapshot().Witness!.Refused));
    }

    [Fact]
    public void Backup_MasterHeardWhileAsking_QuestionMoot_NoTakeoverAtTheDeadline()
    {
        var machine = Backup();
        Run(machine, _masterDown);

        machine.OnDatagram(_peer.Advert(200), _peer.EndPoint);
        var actions = Run(machine, _timeout * 2);

        Assert.Equal(FailoverState.Backup, machine.State);
        Assert.Empty(actions.OfType<StateChanged>());
        Assert.Empty(machine.OnDatagram(Answer("", TimeSpan.MaxValue), _witness));
    }

    [Fact]
    public void Backup_DeadlineTickedLateAndTwice_OneTransition()
    {
        var machine = Backup();
        Run(machine, _masterDown);

        _clock.Advance(_timeout * 3);
        var first = machine.Tick();
        var second = machine.Tick();

        Assert.Single(first.OfType<StateChanged>());
        Assert.Empty(second.OfType<StateChanged>());
    }

    [Fact]
    public void Backup_MasterResigns_TakesOverAfterSkewWithoutAsking()
    {
        var machine = Backup();

        machine.OnDatagram(_peer.Advert(0), _peer.EndPoint);
        var actions = Run(machine, TimeSpan.FromSeconds(1));

        Assert.Equal(FailoverState.Master, machine.State);
        Assert.Empty(actions.OfType<AskWitness>());
    }

    [Theory]
    [InlineData(false, FailoverState.Master)]
    [InlineData(true, FailoverState.Backup)]
    public void Master_PeerAndWitnessSilent_KeepsOrReleasesPerRequired(bool required, FailoverState expected)
    {
        var machine = Master(required);

        var actions = Run(machine, FailoverTimers.MasterDownInterval(200, _interval) + _timeout);

        Assert.Equal(expected, machine.State);
        if (required)
        {
            var fence = Assert.Single(actions.OfType<StateChanged>());
            Assert.Equal(FailoverEvent.Isolated, fence.Event);
            Assert.Contains(actions.OfType<SendAdvert>(), a => a.Packet.Priority == 0);
            Assert.Contains(actions.OfType<RemoveVips>(), r => r.Held);
        }
        else
        {
            Assert.Contains("keeping the virtual IPs", Assert.Single(actions.OfType<WitnessVerdict>()).Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Master_PeerSilentWitnessAnswers_KeepsTheVips_PeerHeardAgain_StopsAsking()
    {
        var machine = Master(required: true);
        Run(machine, FailoverTimers.MasterDownInterval(200, _interval));

        var kept = machine.OnDatagram(Answer("lb1", TimeSpan.FromMilliseconds(5)), _witness);
        Assert.Contains("the witness answers", Assert.Single(kept.OfType<WitnessVerdict>()).Text, StringComparison.Ordinal);
        Assert.Empty(Run(machine, _timeout * 2).OfType<StateChanged>());

        for (var i = 0; i < 10; i++)
        {
            machine.OnDatagram(_peer.Advert(100, FailoverState.Backup), _peer.EndPoint);
            Assert.Empty(Run(machine, _interval).OfType<AskWitness>());
        }

        Assert.Equal(FailoverState.Master, machine.State);
    }

    [Theory]
    [InlineData(250, 5, FailoverState.Backup)]   // a live master that outranks us: two masters, and we are the lesser
    [InlineData(200, 5, FailoverState.Backup)]   // equal priority: the node-id tie-break, "lb2" > "lb1"
    [InlineData(100, 5, FailoverState.Master)]   // one we outrank: we re-announce, it yields when it asks
    [InlineData(250, 5000, FailoverState.Master)] // heard too long ago: not alive
    public void Master_PeerSilent_WitnessNamesAnotherMaster_YieldsToOneAliveThatOutranksUs_ReannouncesAgainstALesser(int priority, int agoMs, FailoverState expected)
    {
        var machine = Master(required: false);
        Run(machine, FailoverTimers.MasterDownInterval(200, _interval));

        var actions = machine.OnDatagram(Answer("lb2", TimeSpan.FromMilliseconds(agoMs), priority: (byte)priority), _witness).ToList();
        actions.AddRange(Run(machine, _interval * 2)); // short of the backup's Master_Down_Interval: it would ask again then

        Assert.Equal(expected, machine.State);
        if (expected == FailoverState.Backup)
        {
            var yielded = Assert.Single(actions.OfType<StateChanged>());
            Assert.Equal(FailoverEvent.OutrankedPerWitness, yielded.Event);
            Assert.Contains(actions.OfType<RemoveVips>(), r => r.Held);
        }
        else
        {
            Assert.Empty(actions.OfType<StateChanged>());
            var alive = agoMs < 1000;
            Assert.Equal(alive, actions.OfType<DualMasterDetected>().Any(d => d.PeerNodeId == "lb2"));
            Assert.Equal(alive, actions.OfType<SendGratuitousArp>().Any(g => !g.Takeover)); // clients drawn to lb2 come back
        }
    }

    /// <summary>A master: lb2 advertised only as backup, and the witness, asked, heard no master.</summary>
    private FailoverMachine Master(bool required)
    {
        var machine = Started(WithWitness(200, required));
        Run(machine, FailoverTimers.MasterDownInterval(200, _interval));
        machine.OnDatagram(Answer("", TimeSpan.MaxValue), _witness);
        Assert.Equal(FailoverState.Master, machine.State);
        return machine;
    }

    private static byte[] FakeKey() => [.. Enumerable.Repeat((byte)7, 32)];
}

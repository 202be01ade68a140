using System.Net;
using Balancer.Core.Failover;
using Balancer.Failover;
using Balancer.Tests.Common;
using Microsoft.Extensions.Time.Testing;

namespace Balancer.Tests.Failover;

/// <summary>A flood of bad datagrams as the log shows it, on a fake clock: a line per reason at once, then at most one per 10 s, each with its count.</summary>
public sealed class RejectLogLimiterTests
{
    private static readonly IPEndPoint _peer = new(IPAddress.Parse("192.0.2.2"), 7946);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(1_765_000_000_000));
    private readonly LogSink _sink = new();
    private readonly FailoverMachine _machine;
    private readonly RejectLogLimiter _limiter;

    public RejectLogLimiterTests()
    {
        var options = new FailoverOptions { NodeId = "lb1", Peers = ["192.0.2.2:7946"], AdvertInterval = TimeSpan.FromMilliseconds(100) };
        _machine = new FailoverMachine(options, new byte[32], _clock);
        _limiter = new RejectLogLimiter(_clock, _sink.CreateLogger("Balancer.Failover"));
    }

    private List<string> Lines => [.. _sink.Lines.Where(l => l.Contains("failover rejected", StringComparison.Ordinal))];

    private void Flood(int count)
    {
        var garbage = new byte[120]; // no magic: BadMagic
        for (var i = 0; i < count; i++)
        {
            _machine.OnDatagram(garbage, _peer);
            _limiter.Check(_machine);
        }
    }

    [Fact]
    public void Check_APeerOnProtocolVersion2_OneLineNamingBothVersions_EvenWhenItKeepsSending()
    {
        // A version-2 peer (before groups drove anything, #23): the same layout, another version byte.
        var advert = new byte[AdvertCodec.MaxLength];
        var length = AdvertCodec.Encode(new AdvertPacket("lb2", FailoverState.Master, 100, TimeSpan.FromMilliseconds(100), 1, 1, default), new FailoverKeyRing(new byte[32]), advert);
        advert[AdvertCodec.VersionOffset] = 2;
        for (var i = 0; i < 50; i++)
        {
            _machine.OnDatagram(advert.AsSpan(0, length), _peer);
            _limiter.Check(_machine);
        }

        var line = Assert.Single(Lines);
        Assert.Contains("as BadVersion", line, StringComparison.Ordinal);
        Assert.Contains("the peer speaks failover protocol version 2, this node 3: run the same release on both nodes", line, StringComparison.Ordinal);
        Assert.Equal(FailoverState.Init, _machine.State);
    }

    [Fact]
    public void Check_AFloodOverTwentySeconds_OneLineAtOnceThenOnePerTenSecondsWithTheCountsSince()
    {
        Flood(100); // the first is logged at once; the other 99 wait for the reason's next line
        Assert.Equal(
            ["Warning: failover rejected 1 datagrams as BadMagic since the last such line (1 in all, the last from 192.0.2.2:7946; at most one line per reason per 10 s): malformed: not a Balancer advert"],
            Lines);

        for (var second = 1; second <= 9; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            Flood(1000);
        }

        Assert.Single(Lines); // 9,000 more within the 10 s: held back

        _clock.Advance(TimeSpan.FromSeconds(1));
        _limiter.Check(_machine); // the flood stopped: the loop's timers still let the held-back count out
        Assert.Equal(2, Lines.Count);
        Assert.StartsWith("Warning: failover rejected 9099 datagrams as BadMagic since the last such line (9100 in all", Lines[1], StringComparison.Ordinal);

        _clock.Advance(TimeSpan.FromSeconds(30));
        _limiter.Check(_machine);
        Assert.Equal(2, Lines.Count); // nothing new, nothing said
    }
}

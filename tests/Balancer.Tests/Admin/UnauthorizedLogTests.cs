using Balancer.Admin;
using Balancer.Tests.Common;
using Microsoft.Extensions.Logging;

namespace Balancer.Tests.Admin;

public sealed class UnauthorizedLogTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly LogSink _sink = new();
    private readonly UnauthorizedLog _log;

    public UnauthorizedLogTests() => _log = new UnauthorizedLog(_sink.CreateLogger("test"), _time);

    [Fact]
    public void Refused_Flood_OneLineAtOnceThenOneCountPerWindow()
    {
        for (var i = 0; i < 450; i++)
        {
            _log.Refused($"GET /status from 10.0.0.{i % 250}");
        }

        Assert.Equal(["Warning: admin API: unauthorized GET /status from 10.0.0.0"], _sink.Lines);

        _time.Advance(UnauthorizedLog.Window);
        Assert.Equal("Warning: admin API: 449 more unauthorized calls in the last 10 s, the last GET /status from 10.0.0.199", _sink.Lines[^1]);

        _log.Refused("POST /reload from 10.0.0.7");
        _time.Advance(UnauthorizedLog.Window);
        Assert.Equal("Warning: admin API: 1 more unauthorized calls in the last 10 s, the last POST /reload from 10.0.0.7", _sink.Lines[^1]);

        _time.Advance(UnauthorizedLog.Window * 3); // quiet: nothing more to say, and the window closes
        _log.Refused("GET / from 10.0.0.8");
        Assert.Equal(["unauthorized GET /status", "449 more", "1 more", "unauthorized GET / from 10.0.0.8"], _sink.Lines.Select(Gist));
    }

    [Fact]
    public void Flush_EarlyOrTwice_NeitherLosesNorRepeatsTheCount()
    {
        _log.Refused("GET /a from 10.0.0.1");
        _log.Refused("GET /b from 10.0.0.1");
        _log.Refused("GET /c from 10.0.0.1");

        _time.Advance(TimeSpan.FromSeconds(3));
        _log.Flush(); // early: waits out the window
        Assert.Single(_sink.Lines);

        _time.Advance(UnauthorizedLog.Window);
        _log.Flush(); // the rescheduled timer has fired already; this is a duplicate
        _log.Flush();

        Assert.Equal(["unauthorized GET /a", "2 more"], _sink.Lines.Select(Gist));
    }

    /// <summary>"unauthorized GET /a" for a first line, "2 more" for a count; the whole message for one from 10.0.0.8.</summary>
    private static string Gist(string line)
    {
        var message = line.Split("admin API: ")[1];
        return message.Contains(" more ", StringComparison.Ordinal) ? message.Split(" unauthorized")[0]
            : message.Contains("from 10.0.0.8", StringComparison.Ordinal) ? message
            : message.Split(" from")[0];
    }
}

using Balancer.Tcp;

namespace Balancer.Tests.Tcp;

/// <summary>The L4 idle timeout on a fake clock: traffic postpones it, silence fires it, on time.</summary>
public sealed class IdleTimeoutTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void NoTraffic_FiresAtTheTimeout()
    {
        using var idle = new IdleTimeout(s_timeout, _time);

        _time.Advance(s_timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(idle.Token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(idle.Token.IsCancellationRequested);
    }

    [Fact]
    public void Touch_PostponesToTheTimeoutAfterTheLastTraffic()
    {
        using var idle = new IdleTimeout(s_timeout, _time);

        // Traffic every 4 s for 30 s: never idle for 10 s.
        for (var i = 0; i < 8; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(4));
            idle.Touch();
        }

        Assert.False(idle.Token.IsCancellationRequested);

        // Then silence: it fires exactly 10 s after the last touch, not at a timer tick later.
        _time.Advance(s_timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(idle.Token.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(idle.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task CancelAsync_CancelsAtOnce()
    {
        using var idle = new IdleTimeout(s_timeout, _time);

        await idle.CancelAsync();

        Assert.True(idle.Token.IsCancellationRequested);
    }
}

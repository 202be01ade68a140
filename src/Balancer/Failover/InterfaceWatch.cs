using Balancer.Linux;
using Balancer.Telemetry;

namespace Balancer.Failover;

/// <summary>
/// keepalived's tracking of its VRRP interface: the loop asks, once per advert interval, whether the interface the
/// virtual IPs live on is up and running, and tells the machine (<c>FailoverMachine.SetInterfaceUp</c>), which sends
/// every group to FAULT while it is down. One RTM_GETLINK per check, which answers for the process's own network
/// namespace whatever /sys shows. An interface that cannot be read counts as up (logged once per change): only a link
/// seen down takes a node out.
/// </summary>
internal sealed class InterfaceWatch(string device, ElapsedClock clock, ILogger logger)
{
    private TimeSpan _checkAt;
    private string? _problem;

    /// <summary>The interface watched.</summary>
    public string Device => device;

    /// <summary>When the next check is due, on the loop's clock.</summary>
    public TimeSpan DueAt => _checkAt;

    /// <summary>Schedules the next check <paramref name="interval"/> on; whether the interface is up and running now, null when that cannot be read.</summary>
    public bool? Check(TimeSpan interval)
    {
        _checkAt = clock.Now + interval;
        try
        {
            var index = Libc.InterfaceIndex(device);
            var up = index > 0 ? RtNetlink.IsLinkRunning(index) : throw new IOException($"no interface named {device}");
            _problem = null;
            return up;
        }
        catch (IOException e)
        {
            if (_problem != e.Message)
            {
                _problem = e.Message;
                Log.FailoverInterfaceUnreadable(logger, device, e.Message);
            }

            return null;
        }
    }
}

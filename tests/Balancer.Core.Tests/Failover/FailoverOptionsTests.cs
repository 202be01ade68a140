using Balancer.Core.Configuration;
using Balancer.Core.Failover;

namespace Balancer.Core.Tests.Failover;

public class FailoverOptionsTests
{
    [Fact]
    public void From_Config_MapsTheSharedFields()
    {
        var config = new FailoverConfig
        {
            NodeId = "lb1",
            Priority = 150,
            Preempt = false,
            AdvertInterval = TimeSpan.FromMilliseconds(100),
            Peers = ["198.18.0.12:7946"],
        };

        var options = FailoverOptions.From(config, configHash: 7);

        Assert.Equal(("lb1", 150, false, TimeSpan.FromMilliseconds(100), 7), (options.NodeId, options.Priority, options.Preempt, options.AdvertInterval, (int)options.ConfigHash));
        Assert.Equal(["198.18.0.12:7946"], options.Peers);
        Assert.Empty(options.Validate());
    }

    [Fact]
    public void From_ConfigWithTrackAndPreemptDelay_MapsThem()
    {
        var config = new FailoverConfig
        {
            NodeId = "lb1",
            PreemptDelay = TimeSpan.FromSeconds(5),
            Track = new FailoverTrackConfig { Pools = ["web"], Weight = 30, Fault = true },
        };

        var options = FailoverOptions.From(config);

        Assert.Equal((TimeSpan.FromSeconds(5), 30, true), (options.PreemptDelay, options.TrackWeight, options.FaultOnTrackFailure));
        Assert.Equal((50, false), (FailoverOptions.From(config with { Track = null }).TrackWeight, FailoverOptions.From(config with { Track = null }).FaultOnTrackFailure));
    }

    [Fact]
    public void Validate_ManyProblems_ReportsEveryOne()
    {
        var options = new FailoverOptions
        {
            NodeId = "",
            Priority = 0,
            AdvertInterval = TimeSpan.FromMilliseconds(15),
            PreemptDelay = TimeSpan.FromSeconds(-1),
            TrackWeight = 300,
            Peers = ["not-an-address"],
        };

        Assert.Equal(6, options.Validate().Count);
    }

    [Fact]
    public void Validate_OwnIdAmongPeerIds_Reported()
    {
        var options = new FailoverOptions { NodeId = "lb1", PeerNodeIds = ["lb1"] };

        Assert.Single(options.Validate());
    }
}

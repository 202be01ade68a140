namespace Balancer.Chaos.Pair;

/// <summary>Carries out a pair step on its node, marking each event for the holder sampler's takeover window.</summary>
internal static class PairSteps
{
    public static async Task ExecuteAsync(PairStep step, PairNode node, HolderSampler sampler)
    {
        switch (step.Kind)
        {
            case PairStepKind.Crash:
                sampler.Event();
                node.Kill();
                if (step.Host)
                {
                    node.SetLink(up: false);
                }

                break;
            case PairStepKind.Restart:
                if (!node.LinkUp)
                {
                    // The host reboots: its addresses, the virtual IP among them, do not survive that. (After a crash
                    // of the process alone the virtual IP is still on the interface: the node must remove it itself.)
                    node.Reboot();
                }

                await node.StartAsync(step.Preempt, TimeSpan.FromSeconds(60));
                sampler.Event();
                break;
            case PairStepKind.GracefulRestart:
                sampler.Event();
                if (!await node.TerminateAsync(TimeSpan.FromSeconds(40)))
                {
                    throw new InvalidOperationException($"{node.NodeId} did not exit within 40 s of SIGTERM");
                }

                sampler.Event();
                await node.StartAsync(step.Preempt, TimeSpan.FromSeconds(60));
                sampler.Event();
                break;
            case PairStepKind.Freeze:
                sampler.Event();
                node.Freeze(frozen: true);
                await Task.Delay(step.Hold);
                node.Freeze(frozen: false);
                sampler.Event();
                break;
            case PairStepKind.LinkFlap:
                sampler.Event();
                node.SetLink(up: false);
                await Task.Delay(step.Hold);
                node.SetLink(up: true);
                sampler.Event();
                break;
        }
    }
}

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
                    node.SetLink(up: true); // the host is back; the address it held may still be on its interface
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

namespace Balancer.Chaos.Pair;

/// <summary>What one step of the pair schedule does to a node.</summary>
internal enum PairStepKind
{
    /// <summary>kill -9 the node's process; with <c>Host</c> its link goes down too (a dead host).</summary>
    Crash,
    /// <summary>Start a crashed node again, with or without preempt (after a host crash the host reboots first).</summary>
    Restart,
    /// <summary>SIGTERM (graceful hand-over and drain), then start again, with or without preempt.</summary>
    GracefulRestart,
    /// <summary>SIGSTOP for a while, then SIGCONT.</summary>
    Freeze,
    /// <summary>Link down for a while, then up.</summary>
    LinkFlap,
}

/// <summary>One pair step: kind, node index (0 = lb1, 1 = lb2), preempt for a start, host crash or not, hold time.</summary>
internal sealed record PairStep(int Number, PairStepKind Kind, int Node, bool Preempt, bool Host, TimeSpan Hold, TimeSpan GapBefore)
{
    public string Describe() => Kind switch
    {
        PairStepKind.Crash => $"crash lb{Node + 1}{(Host ? " (host: link down too)" : " (process)")}",
        PairStepKind.Restart => $"restart lb{Node + 1} preempt {(Preempt ? "on" : "off")}",
        PairStepKind.GracefulRestart => $"SIGTERM+start lb{Node + 1} preempt {(Preempt ? "on" : "off")}",
        PairStepKind.Freeze => $"SIGSTOP lb{Node + 1} {Hold.TotalMilliseconds:0} ms",
        _ => $"link flap lb{Node + 1} {Hold.TotalMilliseconds:0} ms",
    };
}

/// <summary>
/// The seeded schedule of the pair mode, drawn from the seed and its own model of the two nodes only, so a seed replays
/// exactly. A step that takes a node out never leaves the pair without a node that can serve.
/// </summary>
internal sealed class PairSchedule(int seed)
{
    private static readonly (PairStepKind Kind, int Weight)[] s_kinds =
        [(PairStepKind.Crash, 3), (PairStepKind.Restart, 5), (PairStepKind.GracefulRestart, 2), (PairStepKind.Freeze, 3), (PairStepKind.LinkFlap, 3)];

    private readonly Random _random = new(seed);
    private readonly bool[] _alive = [true, true];
    private int _number;

    public PairStep Next()
    {
        var gap = TimeSpan.FromMilliseconds(_random.Next(500, 3001));
        while (true)
        {
            var roll = _random.Next(s_kinds.Sum(k => k.Weight));
            var kind = s_kinds.First(k => (roll -= k.Weight) < 0).Kind;
            var node = _random.Next(2);
            var eligible = kind == PairStepKind.Restart ? !_alive[node] : _alive[node] && _alive[1 - node];
            if (!eligible)
            {
                continue;
            }

            var step = new PairStep(++_number, kind, node, Preempt: _random.Next(2) == 0, Host: _random.Next(2) == 0,
                Hold: TimeSpan.FromMilliseconds(_random.Next(kind == PairStepKind.LinkFlap ? 200 : 500, 3001)), gap);
            _alive[node] = kind != PairStepKind.Crash;
            return step;
        }
    }
}

using System.Net;
using Balancer.Core.Failover;

namespace Balancer.Core.Tests.TestDoubles;

/// <summary>
/// Two <see cref="FailoverMachine"/>s on one fake clock, wired so that every advert travels as encoded bytes
/// through the codec to the other machine. Delivery takes no time, but datagrams sent in one round (one
/// instant) are delivered only after every machine has ticked in it, as if they crossed on the wire.
/// </summary>
internal sealed class InMemoryFailoverLink
{
    public static readonly byte[] Key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private readonly Queue<(Node From, ReadOnlyMemory<byte> Datagram)> _inFlight = new();

    public InMemoryFailoverLink(FailoverOptions a, FailoverOptions b)
    {
        A = new Node(Machine(a), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 7946));
        B = new Node(Machine(b), new IPEndPoint(IPAddress.Parse("192.0.2.2"), 7946));
    }

    public FakeTimeProvider Clock { get; } = new();

    public Node A { get; }

    public Node B { get; }

    /// <summary>Options for a node at 192.0.2.1 (lb1) or 192.0.2.2 (lb2) whose peer is the other.</summary>
    public static FailoverOptions Options(string nodeId, int priority) => new()
    {
        NodeId = nodeId,
        Priority = priority,
        Peers = [nodeId == "lb1" ? "192.0.2.2:7946" : "192.0.2.1:7946"],
    };

    public void StartBoth()
    {
        Apply(A, A.Machine.Start());
        Apply(B, B.Machine.Start());
        Flush();
    }

    /// <summary>Applies a node's actions: logs them and puts its adverts on the wire (unless its link is cut).</summary>
    public void Apply(Node from, IReadOnlyList<FailoverAction> actions)
    {
        from.Actions.AddRange(actions);
        foreach (var send in actions.OfType<FailoverAction.SendAdvert>())
        {
            from.Sent.Add((Clock.GetTimestamp(), send.Datagram.ToArray()));
            if (from.LinkUp)
            {
                _inFlight.Enqueue((from, send.Datagram));
            }
        }
    }

    /// <summary>Moves the clock forward by exactly <paramref name="duration"/>, ticking each machine whenever a timer is due.</summary>
    public void RunFor(TimeSpan duration)
    {
        var end = Clock.GetTimestamp() + duration.Ticks;
        for (var rounds = 0; ; rounds++)
        {
            Assert.True(rounds < 1_000_000, "the machines keep a timer due without progress");
            var now = Clock.GetTimestamp();
            var due = new[] { A.Machine.NextTimerDue, B.Machine.NextTimerDue }.Where(d => d is not null).Min();
            if (due is null || now + due.Value.Ticks > end)
            {
                Clock.Advance(TimeSpan.FromTicks(end - now));
                return;
            }

            Clock.Advance(due.Value);
            Apply(A, A.Machine.Tick());
            Apply(B, B.Machine.Tick());
            Flush();
        }
    }

    /// <summary>Delivers the datagrams on the wire, and those the replies put there, until none is left.</summary>
    public void Flush()
    {
        while (_inFlight.TryDequeue(out var item))
        {
            var to = item.From == A ? B : A;
            to.LastReceivedAt = Clock.GetTimestamp();
            Apply(to, to.Machine.OnDatagram(item.Datagram.Span, item.From.EndPoint));
        }
    }

    /// <summary>Replaces <paramref name="node"/>'s machine with a new one (a restart: a new epoch from the clock), started, its link up.</summary>
    public void Restart(Node node, FailoverOptions options)
    {
        node.Machine = Machine(options);
        node.LinkUp = true;
        Apply(node, node.Machine.Start());
        Flush();
    }

    private FailoverMachine Machine(FailoverOptions options) => new(options, new FailoverKeyRing(Key), Clock);

    internal sealed class Node(FailoverMachine machine, IPEndPoint endPoint)
    {
        public FailoverMachine Machine { get; set; } = machine;

        public IPEndPoint EndPoint { get; } = endPoint;

        public List<FailoverAction> Actions { get; } = [];

        /// <summary>Every datagram this node sent, with the fake-clock timestamp: what an attacker on the path records.</summary>
        public List<(long At, byte[] Datagram)> Sent { get; } = [];

        /// <summary>False cuts what this node sends: to its peer it looks dead.</summary>
        public bool LinkUp { get; set; } = true;

        /// <summary>Fake-clock timestamp of the last datagram delivered to this node.</summary>
        public long LastReceivedAt { get; set; }

        public FailoverState State => Machine.State;
    }
}

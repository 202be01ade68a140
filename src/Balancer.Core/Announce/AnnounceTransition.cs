namespace Balancer.Core.Announce;

/// <summary>One change of <see cref="AnnounceMachine.State"/>, with why and when.</summary>
public sealed record AnnounceTransition(AnnounceState From, AnnounceState To, string Reason, DateTimeOffset At);

using Balancer.Core.Model;

namespace Balancer.Core.Health;

/// <summary>A backend's health changed; logged once and shown in /status.</summary>
public readonly record struct HealthTransition(BackendState Backend, BackendHealth From, BackendHealth To, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Backend.Pool} {Backend.Address} {(To == BackendHealth.Up ? "UP" : "DOWN")}: {Reason}";
}

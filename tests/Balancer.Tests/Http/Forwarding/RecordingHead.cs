using Balancer.Http.Forwarding;
using Microsoft.Extensions.Primitives;

namespace Balancer.Tests.Http.Forwarding;

/// <summary>An <see cref="IOutgoingHead"/> that writes down what a plan gives it, in order.</summary>
internal sealed class RecordingHead : IOutgoingHead
{
    /// <summary>The Host given; null for the backend's authority.</summary>
    public string? HostValue { get; private set; }

    public List<(string Name, string Value)> Headers { get; } = [];

    public void Host(string? value) => HostValue = value;

    public void Header(string name, StringValues values) => Headers.Add((name, string.Join(" | ", values.ToArray())));

    /// <summary>The value of <paramref name="name"/> (case-insensitive); null when it was not given.</summary>
    public string? this[string name] => Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).SingleOrDefault();
}

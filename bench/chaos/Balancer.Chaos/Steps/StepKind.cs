namespace Balancer.Chaos.Steps;

/// <summary>What one step of the schedule does.</summary>
internal enum StepKind
{
    Kill,
    Restart,
    FailHealth,
    PassHealth,
    Slow,
    Fast,
    Reset,
    AddBackend,
    RemoveBackend,
    ChangeWeight,
    ChangeAlgorithm,
    WriteInvalid,
    Restore,
    Drain,
    Enable,
    Hangup,
}

/// <summary>One step: its kind, the backend it targets (or -1), a parameter (weight, slow ms, invalid variant, algorithm index).</summary>
internal sealed record ChaosStep(int Number, StepKind Kind, int Backend, int Value, TimeSpan GapBefore)
{
    public string Describe(IReadOnlyList<string> algorithms) => Kind switch
    {
        StepKind.Slow => $"slow b{Backend} {Value} ms",
        StepKind.ChangeWeight => $"weight b{Backend} {Value}",
        StepKind.ChangeAlgorithm => $"algorithm {algorithms[Value]}",
        StepKind.WriteInvalid => $"invalid config ({ConfigText.InvalidVariants[Value]})",
        StepKind.Restore or StepKind.Hangup => Kind.ToString().ToLowerInvariant(),
        _ => $"{Kind.ToString().ToLowerInvariant()} b{Backend}",
    };
}

namespace Balancer.Chaos.Checks;

/// <summary>Every invariant that did not hold, with the step it followed; printed as they happen.</summary>
internal sealed class Violations
{
    private readonly List<string> _all = [];

    public IReadOnlyList<string> All => _all;

    public int Count => _all.Count;

    public void Add(int step, string what)
    {
        var line = $"VIOLATION after step {step}: {what}";
        lock (_all)
        {
            _all.Add(line);
        }

        Console.WriteLine("  " + line);
    }
}

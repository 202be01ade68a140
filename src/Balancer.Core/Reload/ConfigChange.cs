namespace Balancer.Core.Reload;

/// <summary>What kind of change a reload makes to one thing.</summary>
public enum ChangeKind
{
    /// <summary>Something new.</summary>
    Added,

    /// <summary>Something gone (backends drain first).</summary>
    Removed,

    /// <summary>Something kept whose settings change.</summary>
    Changed,
}

/// <summary>
/// One change between two configs, e.g. <c>+backend web/http://10.0.0.4:80</c> or <c>~pool web (health.rise 2 → 3)</c>;
/// <paramref name="RestartNeeded"/> when a running process refuses it on reload.
/// </summary>
public sealed record ConfigChange(ChangeKind Kind, string Subject, string? Detail = null, bool RestartNeeded = false)
{
    /// <summary>The change as one short phrase for logs and <c>balancer check --diff</c>.</summary>
    public override string ToString()
    {
        var sign = Kind switch { ChangeKind.Added => "+", ChangeKind.Removed => "-", _ => "~" };
        var text = Detail is null ? $"{sign}{Subject}" : $"{sign}{Subject} ({Detail})";
        return RestartNeeded ? $"{text} — refused live: restart needed" : text;
    }
}

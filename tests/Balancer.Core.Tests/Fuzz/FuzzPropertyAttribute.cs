using FsCheck.Xunit;

namespace Balancer.Core.Tests.Fuzz;

/// <summary>
/// An FsCheck.Xunit property that runs <see cref="Fuzz.Count"/> cases and reports only failures (with the
/// shrunk counter-example and the seed to replay it).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class FuzzPropertyAttribute : PropertyAttribute
{
    public FuzzPropertyAttribute()
    {
        MaxTest = Fuzz.Count;
        QuietOnSuccess = true;
    }
}

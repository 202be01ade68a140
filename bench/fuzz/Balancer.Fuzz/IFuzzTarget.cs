namespace Balancer.Fuzz;

/// <summary>
/// One parser under fuzz. <see cref="Run"/> feeds it the input and throws when the parser throws or breaks one of
/// its invariants: an escaping exception is what afl-fuzz records as a crash.
/// </summary>
internal interface IFuzzTarget
{
    /// <summary>Runs one input through the parser and checks what it says.</summary>
    void Run(ReadOnlySpan<byte> input);
}

/// <summary>Thrown by a target when a parser returns something impossible: the fuzzer treats it as a crash.</summary>
internal sealed class InvariantException(string message) : Exception(message)
{
    public static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvariantException(what);
        }
    }
}

using SharpFuzz;

namespace Balancer.Fuzz;

/// <summary>
/// <c>Balancer.Fuzz TARGET</c> runs under afl-fuzz: SharpFuzz's fork-server loop (<see cref="Fuzzer.Run(Action{Stream})"/>)
/// answers afl-fuzz's fork requests without forking, running each input (read from stdin) in this same process,
/// so the runtime starts and JITs once per session, not once per input. <c>Balancer.Fuzz TARGET FILE...</c>
/// replays saved inputs (a crash afl-fuzz found, or the corpus) and exits 1 on the first that fails.
/// </summary>
internal static class Program
{
    // The name selects the target in bench/fuzz/run.sh and names its corpus folder.
    private static readonly Dictionary<string, Func<IFuzzTarget>> s_targets = new()
    {
        ["response-head"] = () => new ResponseHeadTarget(),
        ["chunked"] = () => new ChunkedTarget(),
        ["advert"] = () => new AdvertTarget(),
        ["proxy"] = () => new ProxyHeaderTarget(),
        ["config"] = () => new ConfigTarget(),
    };

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !s_targets.TryGetValue(args[0], out var create))
        {
            Console.Error.WriteLine($"usage: Balancer.Fuzz TARGET [FILE...]; TARGET is one of: {string.Join(", ", s_targets.Keys)}");
            return 2;
        }

        // Instrumented code writes to the coverage map from its first instruction on, constructors included, and
        // Fuzzer.Run is what points the map somewhere (afl-fuzz's shared memory, or a scratch buffer when it runs
        // without afl-fuzz): so the target is made inside the action, and a replay runs inside one action too.
        IFuzzTarget? target = null;
        var status = 0;
        if (args.Length > 1)
        {
            Fuzzer.Run(_ => status = Replay(create(), args[0], args[1..]));
            return status;
        }

        var buffer = new MemoryStream();
        Fuzzer.Run(stream =>
        {
            target ??= create();
            buffer.SetLength(0);
            stream.CopyTo(buffer);
            target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    }

    private static int Replay(IFuzzTarget target, string name, string[] files)
    {
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
            catch (Exception e) when (e is not IOException)
            {
                Console.Error.WriteLine($"{file}: {e}");
                return 1;
            }
        }

        Console.WriteLine($"{name}: {files.Length} input(s) ran clean");
        return 0;
    }
}

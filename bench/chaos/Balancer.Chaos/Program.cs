using System.Globalization;
using Balancer.Chaos;
using Balancer.Chaos.Backends;

// balancer-chaos run --balancer PATH/balancer.dll [--mode backends|pair] [--seed N] [--duration S] ...
// balancer-chaos backend --port P --counters FILE --name N   (started by the run itself)
if (args.Length > 0 && args[0] == "backend")
{
    string Arg(string name) => args[Array.IndexOf(args, name) + 1];
    return await ChaosBackend.RunAsync(int.Parse(Arg("--port"), CultureInfo.InvariantCulture), Arg("--counters"), Arg("--name"));
}

if (args.Length > 0 && args[0] == "client")
{
    string Arg(string name) => args[Array.IndexOf(args, name) + 1];
    return await Balancer.Chaos.Pair.ClientCommand.RunAsync(Arg("--target"), TimeSpan.FromSeconds(double.Parse(Arg("--duration"), CultureInfo.InvariantCulture)));
}

if (args.Length == 0 || args[0] != "run")
{
    Console.Error.WriteLine("usage: balancer-chaos run --balancer PATH/balancer.dll [--mode backends|pair] [--seed N] [--duration SECONDS] [--algorithm NAME] [--rate RPS] [--connections N] [--json FILE] [--work DIR] [--keep]");
    return 2;
}

RunOptions options;
try
{
    options = RunOptions.Parse(args[1..]);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

var work = options.Work ?? Directory.CreateTempSubdirectory("balancer-chaos-").FullName;
Directory.CreateDirectory(work);
Console.WriteLine($"chaos run: mode {options.Mode}, seed {options.Seed}, {options.Duration.TotalSeconds:0} s (replay: {options.Replay}); work {work}");
Interrupt.Install();
AppDomain.CurrentDomain.ProcessExit += (_, _) => ChildProcess.KillAll();
var code = 1;
try
{
    code = options.Mode == "pair" ? await new Balancer.Chaos.Pair.PairRun(options, work).RunAsync() : await new BackendsRun(options, work).RunAsync();
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or HttpRequestException)
{
    Console.WriteLine($"chaos run aborted: {e.Message}");
    code = 2;
}
catch (Exception e)
{
    Console.WriteLine($"chaos run aborted by a fault of the driver: {e}");
    code = 2;
}
finally
{
    ChildProcess.KillAll();
}

Console.WriteLine(code == 0 ? $"PASS seed {options.Seed}" : $"FAIL seed {options.Seed} (replay: {options.Replay}; logs in {work})");
if (code == 0 && !options.Keep && options.Work is null)
{
    Directory.Delete(work, recursive: true);
}

return code;

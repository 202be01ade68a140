using Balancer.Core.LoadBalancing;
using Balancer.Core.Model;
using BenchmarkDotNet.Attributes;

namespace Balancer.Benchmarks;

/// <summary>
/// Building a <see cref="MaglevTable"/> (#21): what a change of a hash pool's available backends costs on the control
/// path (a reload, a backend going down or coming back); backends weigh 1–3.
/// </summary>
[MemoryDiagnoser]
public class MaglevTableBenchmark
{
    private BackendState[] _backends = [];
    private double[] _weights = [];

    [Params(3, 30, 300, 1000)]
    public int Backends { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _backends = [.. Enumerable.Range(0, Backends).Select(i => new BackendState("bench", $"http://10.0.{i / 250}.{i % 250}:80", 1 + (i % 3), TimeProvider.System, TimeSpan.FromSeconds(10)))];
        _weights = [.. _backends.Select(b => (double)b.Weight)];
    }

    [Benchmark]
    public int Build() => new MaglevTable(_backends, _weights).Size;
}

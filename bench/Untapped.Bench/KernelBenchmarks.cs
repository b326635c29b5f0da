using BenchmarkDotNet.Attributes;
using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;

namespace Untapped.Bench;

/// <summary>
/// BenchmarkDotNet form of the kernel microbenchmarks: one benchmark per kernel (KernelBench's cases, at the
/// model's sizes) and backend; the global setup validates against the single-thread CPU reference first.
/// Run: dotnet run -c Release --project bench/Untapped.Bench -- bdn --filter '*KernelBenchmarks*'
/// GB/s = the case's compulsory bytes / the reported mean (KernelBench prints it directly).
/// </summary>
[SimpleJob(warmupCount: 2, iterationCount: 5, launchCount: 1)]
public class KernelBenchmarks
{
    Backend? _acc;
    OpCase? _case;
    Harness? _buffers;

    /// <summary>
    /// The managed CPU, and CUDA where ILGPU finds a device (ILGPU's CPU accelerator simulates a GPU for tests: timing
    /// it means nothing).
    /// </summary>
    public static IEnumerable<string> Backends =>
        Untapped.Kernels.Backends.Unavailable(BackendKind.Cuda) is null ? ["cpu", "cuda"] : ["cpu"];

    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "cpu";

    public static IEnumerable<string> Kernels => OpCases.At(CaseSize.Model).Select(c => c.Name);

    [ParamsSource(nameof(Kernels))]
    public string Kernel { get; set; } = "adam";

    [GlobalSetup]
    public void Setup()
    {
        _acc = Backend == "cuda" ? Untapped.Kernels.Backends.Create(BackendKind.Cuda) : new CpuBackend(2);
        _case = OpCases.Get(CaseSize.Model, Kernel);
        using var reference = new CpuBackend(1);
        _buffers = OpCases.Validate(_case, _acc, reference);
    }

    [Benchmark]
    public void Run()
    {
        _case!.Run(_acc!, _buffers!);
        _acc!.Synchronize();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _buffers?.Dispose();
        _acc?.Dispose();
    }
}

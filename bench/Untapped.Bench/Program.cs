using Untapped.Bench;
using Untapped.Kernels;
using Untapped.Training.Model;

// Usage: dotnet run -c Release --project bench/Untapped.Bench -- step|fuse|limit|gemm|gemm-fusions|kernels|vectormath|parity|steps|digest|ptx|bdn
//   (vectormath: the CPU's elementwise maths on one core in L1, ns an element)
//   (fuse: the step with and without the dense layers' fused epilogues, interleaved; fuse --backwards-in-forward: with
//   and without the backwards run in the forward pass; --profile: each side's op table over all its steps)
//   (ptx [--dump DIR [--arch sm_80|sm_90]]: the ptxas resource table, or each kernel's PTX written to DIR)
//   [--backend auto|cuda|opencl|ilgpu-cpu|cpu] [--threads N (0 = every core)] [--batch N] [--steps N] [--reps N]
//   [--preset original|paper] [--model untapped|m2] [--by-layer] [--unfused (step: no fused epilogues)]
//   [--shapes test|model|both] [--json FILE]
//   [--blas-core NAME]
string Arg(string name, string def)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : def;
}
var mode = args.Length > 0 ? args[0] : "step";
if (mode == "bdn")
{
#if BDN
    BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(KernelBenchmarks).Assembly).Run(args[1..]);
    return 0;
#else
    Console.Error.WriteLine(
        "this build leaves BenchmarkDotNet out (-p:WithBenchmarkDotNet=false, as the GPU bundle does); build bench/Untapped.Bench from the repository for bdn"
    );
    return 2;
#endif
}
if (mode == "ptx")
    return PtxReport.Run(args);
int threads = int.Parse(Arg("--threads", "0"));
if (threads <= 0)
    threads = Environment.ProcessorCount;
Backend acc;
try
{
    acc = BackendNames.Create(Arg("--backend", BackendNames.Auto), threads);
} // the CLI's parser and default
catch (BackendUnavailableException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
using var _ = acc;
var preset = Enum.Parse<Preset>(Arg("--preset", "original"), true);
var model = Enum.Parse<ModelKind>(Arg("--model", "untapped"), true);
int batch = int.Parse(Arg("--batch", "10000")),
    reps = int.Parse(Arg("--reps", "5"));
string? blasCore = args.Contains("--blas-core") ? Arg("--blas-core", "") : null;
switch (mode)
{
    case "step":
        StepBench.Run(
            acc,
            preset,
            model,
            batch,
            int.Parse(Arg("--steps", "5")),
            args.Contains("--by-layer"),
            !args.Contains("--unfused")
        );
        break;
    case "fuse":
        return FuseBench.Run(
            acc,
            preset,
            model,
            batch,
            reps,
            args.Contains("--backwards-in-forward"),
            args.Contains("--profile")
        );
    case "limit":
        return LimitBench.Run(acc, preset, model, batch, threads, reps, blasCore);
    case "gemm":
        GemmBench.Run(
            acc,
            threads,
            reps,
            args.Contains("--only") ? Arg("--only", "") : null,
            blasCore ?? OpenBlas.FairCore()
        );
        break;
    case "gemm-fusions":
        GemmFusionBench.Run(acc, reps);
        break;
    case "kernels":
        KernelBench.Run(acc, threads, reps);
        break;
    case "vectormath":
        VectorMathBench.Run(reps);
        break;
    case "parity":
        return ParityBench.Kernels(acc, Arg("--shapes", "both"), args.Contains("--json") ? Arg("--json", "") : null);
    case "digest":
        return ParityBench.Digest(acc, Arg("--shapes", "both"));
    case "steps":
        return ParityBench.Steps(
            acc,
            int.Parse(Arg("--batch", "32")),
            args.Contains("--json") ? Arg("--json", "") : null
        );
    default:
        Console.Error.WriteLine(
            $"unknown mode '{mode}'; modes: step, fuse, limit, gemm, gemm-fusions, kernels, vectormath, parity, steps, digest, ptx, bdn"
        );
        return 2;
}
return 0;

using Untapped.Bench;
using Untapped.Kernels;
using Untapped.Training.Model;

// Usage: dotnet run -c Release --project bench/Untapped.Bench -- step|gemm|kernels|parity|steps|digest|ptx|bdn [--backend cpu|cuda|opencl|ilgpu-cpu] [--threads N] [--batch N] [--steps N] [--preset original|paper] [--model untapped|m2] [--by-layer] [--shapes test|model|both] [--json FILE]
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
    Console.Error.WriteLine("this build leaves BenchmarkDotNet out (-p:WithBenchmarkDotNet=false, as the GPU bundle does); build bench/Untapped.Bench from the repository for bdn");
    return 2;
#endif
}
if (mode == "ptx") return PtxReport.Run();
var kind = Enum.Parse<BackendKind>(Arg("--backend", "cpu").Replace("-", ""), ignoreCase: true);  // ilgpu-cpu -> IlgpuCpu
using var acc = Backends.Create(kind, 0, int.Parse(Arg("--threads", "2")));
switch (mode)
{
    case "step":
        StepBench.Run(acc, Enum.Parse<Preset>(Arg("--preset", "original"), true), Enum.Parse<ModelKind>(Arg("--model", "untapped"), true),
            int.Parse(Arg("--batch", "10000")), int.Parse(Arg("--steps", "5")), args.Contains("--by-layer"));
        break;
    case "gemm":
        GemmBench.Run(acc, int.Parse(Arg("--threads", "2")), int.Parse(Arg("--reps", "5")), args.Contains("--only") ? Arg("--only", "") : null);
        break;
    case "kernels":
        KernelBench.Run(acc, int.Parse(Arg("--threads", "2")), int.Parse(Arg("--reps", "5")));
        break;
    case "parity":
        return ParityBench.Kernels(acc, Arg("--shapes", "both"), args.Contains("--json") ? Arg("--json", "") : null);
    case "digest":
        return ParityBench.Digest(acc, Arg("--shapes", "both"));
    case "steps":
        return ParityBench.Steps(acc, int.Parse(Arg("--batch", "32")), args.Contains("--json") ? Arg("--json", "") : null);
    default:
        Console.Error.WriteLine($"unknown mode '{mode}'; modes: step, gemm, kernels, parity, steps, digest, ptx, bdn");
        return 2;
}
return 0;

using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;

namespace Untapped.Bench;

/// <summary>
/// llm.c-style kernel microbenchmarks at the model's sizes (<see cref="OpCases"/> at <see cref="CaseSize.Model"/>,
/// every operation of the catalogue): each case first runs on the chosen backend and on a single-thread managed CPU
/// reference and must agree (|diff| &lt;= atol + rtol |ref|), then is timed (median) and reported as GB/s of compulsory
/// traffic, next to a measured memory-copy bandwidth of this machine.
/// </summary>
public static unsafe class KernelBench
{
    /// <summary>
    /// GB/s of a large Buffer.MemoryCopy (read + write counted), on one thread and on <paramref name="threads"/>.
    /// </summary>
    public static double CopyBandwidth(int threads)
    {
        const int n = 64 << 20;
        var src = new byte[n];
        var dst = new byte[n];
        new Random(1).NextBytes(src);
        double ms = GemmBench.Time(5, () =>
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                long chunk = n / threads;
                fixed (
                    byte* s = src,
                        d = dst
                )
                {
                    Buffer.MemoryCopy(s + t * chunk, d + t * chunk, chunk, chunk);
                }
            })
        );
        return 2.0 * n / (ms * 1e6);
    }

    /// <summary>
    /// GB/s of <see cref="Backend.Copy"/> of 256 MiB (read + write counted): on a GPU, its device-to-device copy.
    /// </summary>
    public static double DeviceCopyBandwidth(Backend acc, int reps)
    {
        const int n = 64 << 20;
        using var a = acc.Allocate(n);
        using var b = acc.Allocate(n);
        acc.Fill(n, 1f, a);
        double ms = GemmBench.Time(reps, () =>
        {
            acc.Copy(a, b);
            acc.Synchronize();
        });
        return 2.0 * 4 * n / (ms * 1e6);
    }

    public static void Run(Backend acc, int threads, int reps)
    {
        // The managed CPU's reference is a multi-threaded host copy; a device's is its own device-to-device copy.
        double copy = acc.Kind == BackendKind.Cpu ? CopyBandwidth(threads) : DeviceCopyBandwidth(acc, reps);
        Console.WriteLine($"memory copy on {acc.Name}: {copy:F1} GB/s (read + write)\n");
        Console.WriteLine($"| kernel on {acc.Name} | ms | GB/s | of copy | validated |\n|---|---:|---:|---:|---|");
        using var reference = new CpuBackend(1);
        // Every operation of the catalogue at the model's sizes but the GEMMs, which `bench gemm` times against
        // OpenBLAS.
        foreach (var c in OpCases.At(CaseSize.Model).Where(c => c.Op != nameof(Backend.Gemm)))
        {
            using var h = OpCases.Validate(c, acc, reference);
            double ms = GemmBench.Time(reps, () =>
            {
                c.Run(acc, h);
                acc.Synchronize();
            });
            double gbs = c.Bytes / (ms * 1e6);
            Console.WriteLine($"| {c.Name} | {ms:F2} | {gbs:F1} | {gbs / copy:P0} | yes |");
        }
    }
}

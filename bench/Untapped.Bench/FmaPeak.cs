using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Untapped.Kernels.Cpu;

namespace Untapped.Bench;

/// <summary>
/// The machine's single-precision FMA peak on this process's vector path: every thread runs twelve independent FMA
/// chains (enough to cover the FMA latency on two pipes) for about 40 ms; the best of three rounds, in GFLOP/s (an FMA
/// is two). The ceiling any GEMM on these threads can reach: <see cref="LimitBench"/> sets the step's GEMMs against it.
/// </summary>
static class FmaPeak
{
    const long Iterations = 10_000_000;

    public static double GFlops(int threads)
    {
        int lanes =
            Lanes.Wide ? 16
            : Lanes.Has256 ? 8
            : 4;
        double best = 0;
        for (int round = 0; round < 3; round++)
        {
            var sw = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => Chains(t));
            best = Math.Max(best, threads * Iterations * 12.0 * lanes * 2 / sw.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    static float Chains(int seed) =>
        Lanes.Wide ? Run(Vector512.Create(1f + seed))
        : Lanes.Has256 ? Run(Vector256.Create(1f + seed))
        : Run(Vector128.Create(1f + seed));

    // csharpier-ignore-start - twelve chains, one per line would hide the pattern
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static float Run(Vector512<float> x)
    {
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        var m = Vector512.Create(0.9999f);
        for (long i = 0; i < Iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, x); a1 = Vector512.FusedMultiplyAdd(a1, m, x); a2 = Vector512.FusedMultiplyAdd(a2, m, x); a3 = Vector512.FusedMultiplyAdd(a3, m, x);
            a4 = Vector512.FusedMultiplyAdd(a4, m, x); a5 = Vector512.FusedMultiplyAdd(a5, m, x); a6 = Vector512.FusedMultiplyAdd(a6, m, x); a7 = Vector512.FusedMultiplyAdd(a7, m, x);
            a8 = Vector512.FusedMultiplyAdd(a8, m, x); a9 = Vector512.FusedMultiplyAdd(a9, m, x); a10 = Vector512.FusedMultiplyAdd(a10, m, x); a11 = Vector512.FusedMultiplyAdd(a11, m, x);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static float Run(Vector256<float> x)
    {
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        var m = Vector256.Create(0.9999f);
        for (long i = 0; i < Iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, x); a1 = Vector256.FusedMultiplyAdd(a1, m, x); a2 = Vector256.FusedMultiplyAdd(a2, m, x); a3 = Vector256.FusedMultiplyAdd(a3, m, x);
            a4 = Vector256.FusedMultiplyAdd(a4, m, x); a5 = Vector256.FusedMultiplyAdd(a5, m, x); a6 = Vector256.FusedMultiplyAdd(a6, m, x); a7 = Vector256.FusedMultiplyAdd(a7, m, x);
            a8 = Vector256.FusedMultiplyAdd(a8, m, x); a9 = Vector256.FusedMultiplyAdd(a9, m, x); a10 = Vector256.FusedMultiplyAdd(a10, m, x); a11 = Vector256.FusedMultiplyAdd(a11, m, x);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static float Run(Vector128<float> x)
    {
        Vector128<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        var m = Vector128.Create(0.9999f);
        for (long i = 0; i < Iterations; i++)
        {
            a0 = Fma128.Of(a0, m, x); a1 = Fma128.Of(a1, m, x); a2 = Fma128.Of(a2, m, x); a3 = Fma128.Of(a3, m, x);
            a4 = Fma128.Of(a4, m, x); a5 = Fma128.Of(a5, m, x); a6 = Fma128.Of(a6, m, x); a7 = Fma128.Of(a7, m, x);
            a8 = Fma128.Of(a8, m, x); a9 = Fma128.Of(a9, m, x); a10 = Fma128.Of(a10, m, x); a11 = Fma128.Of(a11, m, x);
        }
        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
    // csharpier-ignore-end
}

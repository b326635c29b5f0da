using System.Diagnostics;
using System.Runtime.CompilerServices;
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
        Lanes.Wide ? Run(V512.Create(1f + seed))
        : Lanes.Has256 ? Run(V256.Create(1f + seed))
        : Run(V128.Create(1f + seed));

    // csharpier-ignore-start - twelve chains, four to a line
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    static float Run<T>(T x)
        where T : struct, ISimd<T>
    {
        T a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        var m = T.Create(0.9999f);
        for (long i = 0; i < Iterations; i++)
        {
            a0 = T.Fma(a0, m, x); a1 = T.Fma(a1, m, x); a2 = T.Fma(a2, m, x); a3 = T.Fma(a3, m, x);
            a4 = T.Fma(a4, m, x); a5 = T.Fma(a5, m, x); a6 = T.Fma(a6, m, x); a7 = T.Fma(a7, m, x);
            a8 = T.Fma(a8, m, x); a9 = T.Fma(a9, m, x); a10 = T.Fma(a10, m, x); a11 = T.Fma(a11, m, x);
        }
        return T.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
    // csharpier-ignore-end
}

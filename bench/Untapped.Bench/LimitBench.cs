using System.Runtime.InteropServices;
using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Model;

namespace Untapped.Bench;

/// <summary>
/// The step against the machine's limit, in one process: the real training step is timed, every GEMM it calls is
/// recorded (<see cref="GemmTrace"/>: shape, transposes, time), and OpenBLAS (<see cref="OpenBlas"/>, on the kernels
/// this process's vector path deserves) runs the same GEMMs in the same order; rep by rep, step then OpenBLAS, so a
/// noisy neighbour hits both, and each starts with the other's threads asleep (<see cref="OpenBlas.Quiesce"/>). The
/// GEMM bound B is the sum of OpenBLAS's times for the step's GEMMs: a step that did nothing but its GEMMs, at
/// OpenBLAS's rate. Prints the GEMMs by shape (ours vs OpenBLAS, and ours again bare on the bench's own buffers:
/// a layer's call in the step includes its bias and activation, which OpenBLAS's does not), the time outside
/// GEMMs by operation (one profiled step), and last `step S ms, GEMM bound B ms, ratio R by minima` (each side's
/// minimum over the reps, the headline on a shared machine) with the medians beside (R there is the median of the
/// per-rep ratios).
/// </summary>
static unsafe class LimitBench
{
    public static int Run(
        Backend acc,
        Preset preset,
        ModelKind model,
        int batch,
        int threads,
        int reps,
        string? blasCore
    )
    {
        if (!OpenBlas.Load(blasCore ?? OpenBlas.FairCore(), threads))
        {
            Console.Error.WriteLine(OpenBlas.Missing);
            return 1;
        }
        using var f = new StepFixture(acc, preset, model, batch);
        Console.WriteLine(
            $"limit: {model} {preset} batch {batch} on {acc.Name}; OpenBLAS on {OpenBlas.CoreName} kernels, "
                + $"{threads} threads, idle threads poll 2^{OpenBlas.ThreadTimeout} cycles; ours on {Lanes.Path}; {reps} reps"
        );
        f.Step();
        f.Step();
        var trace = new GemmTrace();
        acc.GemmTrace = trace;
        f.Step();
        acc.GemmTrace = null;
        var calls = trace.Calls.ToArray();
        double peak = FmaPeak.GFlops(threads);
        long aLen = calls.Max(c => (long)c.M * c.K),
            bLen = calls.Max(c => (long)c.K * c.N),
            cLen = calls.Max(c => (long)c.M * c.N);
        float* a = Random(aLen, 1),
            b = Random(bLen, 2),
            c = Random(cLen, 3);
        // Our GEMMs again on buffers of their own, bare: no bias, no activation (a traced call includes both).
        using var oa = acc.Upload(new ReadOnlySpan<float>(a, checked((int)aLen)));
        using var ob = acc.Upload(new ReadOnlySpan<float>(b, checked((int)bLen)));
        using var oc = acc.Upload(new ReadOnlySpan<float>(c, checked((int)cLen)));
        try
        {
            void Bare(double[] into)
            {
                for (int i = 0; i < calls.Length; i++)
                {
                    var g = calls[i];
                    long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                    acc.Gemm(
                        oa.View.Slice(0, g.M * g.K),
                        ob.View.Slice(0, g.K * g.N),
                        default,
                        g.M,
                        g.K,
                        g.N,
                        g.TransA,
                        g.TransB,
                        Activation.None,
                        g.Accumulate,
                        oc.View.Slice(0, g.M * g.N)
                    );
                    acc.Synchronize();
                    into[i] = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                }
            }
            void Blas(double[] into)
            {
                for (int i = 0; i < calls.Length; i++)
                {
                    var g = calls[i];
                    long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                    OpenBlas.Sgemm(a, b, c, g.M, g.K, g.N, g.TransA, g.TransB, g.Accumulate);
                    into[i] = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                }
            }
            Blas(new double[calls.Length]);
            var steps = new List<double>();
            var bounds = new List<double>();
            var ratios = new List<double>();
            var ours = new double[reps][];
            var theirs = new double[reps][];
            var bare = new double[reps][];
            for (int r = 0; r < reps; r++)
            {
                OpenBlas.Quiesce(); // OpenBLAS's threads, still polling after the last rep's bound, would take a core
                double s = f.Step();
                trace.Clear();
                acc.GemmTrace = trace;
                f.Step();
                acc.GemmTrace = null;
                ours[r] = trace.Calls.Select(g => g.Ms).ToArray();
                theirs[r] = new double[calls.Length];
                OpenBlas.Quiesce();
                Blas(theirs[r]);
                OpenBlas.Quiesce();
                Bare(bare[r] = new double[calls.Length]);
                double bound = theirs[r].Sum();
                steps.Add(s);
                bounds.Add(bound);
                ratios.Add(s / bound);
                Console.WriteLine(
                    $"rep {r + 1}: step {s:F1} ms, GEMM bound {bound:F1} ms (our GEMMs {ours[r].Sum():F1} ms), ratio {s / bound:F3}"
                );
            }
            PrintShapes(calls, ours, theirs, bare);
            OpenBlas.Quiesce();
            double outside = PrintOutsideGemm(f, trace);
            // Headline: each side's minimum over the reps (the least disturbed), medians beside.
            Console.WriteLine(
                $"step {steps.Min():F1} ms, GEMM bound {bounds.Min():F1} ms, ratio {steps.Min() / bounds.Min():F3} by minima; "
                    + $"medians: step {Median(steps):F1} ms, GEMM bound {Median(bounds):F1} ms, ratio {Median(ratios):F3}"
            );
            PrintRoofline(calls, peak, threads, bounds.Min(), ours.Min(r => r.Sum()), outside);
            return 0;
        }
        finally
        {
            NativeMemory.AlignedFree(a);
            NativeMemory.AlignedFree(b);
            NativeMemory.AlignedFree(c);
        }
    }

    /// <summary>
    /// The step against the machine's FMA peak P (<see cref="FmaPeak"/>): the GEMMs' FLOPs F at OpenBLAS's rate (the
    /// fastest bound B) and at ours (G, our fastest GEMM total), the time outside them O (the profiled step's, whose
    /// ops the table above lists; our GEMM calls include the bias and activation they apply), and what a step at most
    /// the bound needs: our GEMMs at F / (B - O), as a share of P (above 100 %: no GEMM can reach it).
    /// </summary>
    static void PrintRoofline(GemmCall[] calls, double peak, int threads, double bound, double gemms, double outside)
    {
        double gflop = calls.Sum(c => (double)c.Flops) / 1e9,
            need = gflop / ((bound - outside) / 1e3);
        Console.WriteLine(
            $"roofline: FMA peak {peak:F1} GFLOP/s ({threads} threads, {Lanes.Path}); the step's GEMMs {gflop:F2} GFLOP: "
                + $"OpenBLAS (the bound) at {gflop / (bound / 1e3):F1} GFLOP/s = {100 * gflop / (bound / 1e3) / peak:F0} % "
                + $"of peak, ours at {gflop / (gemms / 1e3):F1} = {100 * gflop / (gemms / 1e3) / peak:F0} %; "
                + $"outside the GEMMs {outside:F1} ms (the profiled step's); step <= bound needs our GEMMs at "
                + (bound > outside ? $"{need:F1} GFLOP/s = {100 * need / peak:F0} % of peak" : "less than no time")
                + (
                    bound > gemms
                        ? $", or at most {bound - gemms:F1} ms outside them at our GEMMs' rate"
                        : $"; at our GEMMs' rate they alone take {gemms - bound:F1} ms more than the bound"
                )
        );
    }

    /// <summary>
    /// The step's GEMMs grouped by shape: calls, ours (in the step, with the bias and activation a layer's call
    /// applies) and OpenBLAS's median total per step, their ratio, and ours again bare (no bias, no activation, on
    /// the bench's own buffers, timed in the same reps): what separates the two is then the epilogue, not the GEMM.
    /// </summary>
    static void PrintShapes(GemmCall[] calls, double[][] ours, double[][] theirs, double[][] bare)
    {
        Console.WriteLine(
            "\n| GEMM MxKxN op(A)op(B) | calls | ours ms | OpenBLAS ms | ours / OpenBLAS | OpenBLAS GFLOP/s | ours bare ms | bare / OpenBLAS |"
                + "\n|---|---:|---:|---:|---:|---:|---:|---:|"
        );
        foreach (
            var grp in Enumerable
                .Range(0, calls.Length)
                .GroupBy(i => calls[i].Shape)
                .OrderByDescending(g => calls[g.First()].Flops * g.Count())
        )
        {
            double o = Median(ours.Select(r => grp.Sum(i => r[i])).ToList()),
                t = Median(theirs.Select(r => grp.Sum(i => r[i])).ToList()),
                b = Median(bare.Select(r => grp.Sum(i => r[i])).ToList());
            long flops = grp.Sum(i => calls[i].Flops);
            Console.WriteLine(
                $"| {grp.Key} | {grp.Count()} | {o:F2} | {t:F2} | {o / t:F2} | {flops / (t * 1e6):F1} | {b:F2} | {b / t:F2} |"
            );
        }
        double so = Median(ours.Select(r => r.Sum()).ToList()),
            st = Median(theirs.Select(r => r.Sum()).ToList()),
            sb = Median(bare.Select(r => r.Sum()).ToList());
        Console.WriteLine(
            $"| all {calls.Length} | {calls.Length} | {so:F2} | {st:F2} | {so / st:F2} | {calls.Sum(c => c.Flops) / (st * 1e6):F1} | {sb:F2} | {sb / st:F2} |"
        );
    }

    /// <summary>
    /// One profiled step (a synchronize after each op) with the trace on: each op's time less the GEMMs inside it.
    /// Traced, a dense layer's epilogue runs after its GEMM (<see cref="Backend.Gemm"/>), so its row ("dense +
    /// bernoulli_loglik") shows the fused ops' own time, unfused. A first profiled step runs and is dropped: right
    /// after the bound's OpenBLAS calls it read 4-12 ms more outside the GEMMs than the profiled steps after it, most
    /// in the first op and the loss reductions (the Zen 3, 2026-12-07: original 73.4 then 68.1, 63.7, 65.3, 69.5 ms;
    /// paper 120.2 then 108.5), which the unprofiled step timed right after OpenBLAS does not show (original, eight
    /// reps: 512-527 ms first, 515-552 second): the profile's first step, not the step's.
    /// </summary>
    static double PrintOutsideGemm(StepFixture f, GemmTrace trace)
    {
        var ex = f.Executor;
        ex.Backend.GemmTrace = trace;
        ex.Profile = new OpProfile();
        f.Step();
        trace.Clear();
        ex.Profile = new OpProfile();
        double step = f.Step();
        ex.Backend.GemmTrace = null;
        // Each op's time less the GEMMs it called (the executor attributes every traced GEMM to the op that ran it).
        var rows = ex.Profile.Rows.Select(r => (Op: r.Key, Ms: r.Value.Ms - r.Value.GemmMs)).ToList();
        rows.Add(("outside ops (loss reductions, zero fills)", step - ex.Profile.TotalMs));
        ex.Profile = null;
        double outside = step - trace.TotalMs;
        Console.WriteLine(
            $"\nprofiled step {step:F1} ms: GEMMs {trace.TotalMs:F1} ms, the rest {outside:F1} ms by operation:\n"
                + "| operation (time outside GEMM) | ms | share of the rest |\n|---|---:|---:|"
        );
        foreach (var (op, ms) in rows.OrderByDescending(r => r.Ms))
        {
            Console.WriteLine($"| {op}{Outside(op)} | {ms:F2} | {100 * ms / outside:F1}% |");
        }

        Console.WriteLine();
        return outside;
    }

    // What a dense row's time outside its GEMMs is.
    static string Outside(string op) =>
        op == "dense backward" ? " (the activation and bias backward)"
        : op.StartsWith("dense +") ? " (bias, activation, then the epilogue's ops, unfused when traced)"
        : op == "dense" ? " (bias, activation)"
        : "";

    static float* Random(long n, int seed)
    {
        var p = (float*)NativeMemory.AlignedAlloc((nuint)(n * sizeof(float)), 64);
        var r = new Random(seed);
        for (long i = 0; i < n; i++)
            p[i] = r.NextSingle() - 0.5f;
        return p;
    }

    internal static double Median(List<double> x)
    {
        x.Sort();
        return x.Count % 2 == 1 ? x[x.Count / 2] : (x[x.Count / 2 - 1] + x[x.Count / 2]) / 2;
    }
}

using System.Diagnostics;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;

namespace Untapped.Bench;

/// <summary>
/// The managed GEMM against OpenBLAS's cblas_sgemm (<see cref="OpenBlas"/>: on the kernels our vector path deserves) on
/// the model's three largest shapes, same threads, side by side in one process: validate first, then median GFLOP/s.
/// </summary>
static unsafe class GemmBench
{
    public static void Run(Backend acc, int threads, int reps, string? only, string? blasCore)
    {
        bool blas = OpenBlas.Load(blasCore, threads);
        Console.WriteLine(
            blas
                ? $"OpenBLAS on {OpenBlas.CoreName} kernels (idle threads poll 2^{OpenBlas.ThreadTimeout} cycles), ours on {Lanes.Path}, {threads} threads"
                : OpenBlas.Missing + ": timing ours only"
        );
        Console.WriteLine(
            "| shape MxKxN | op | ours GFLOP/s best (median) | OpenBLAS GFLOP/s best (median) | ratio of bests (median ratio) "
                + "| max rel diff |\n|---|---|---:|---:|---:|---:|"
        );
        // The three largest shapes of the model (as the issue names them), then the narrow layers of the original
        // preset (classifier 784->50, z-encoder 784->10, decoder 12->250), where padding and packing dominate, and the
        // decoder's hidden 250->500 layer, then the small layers (classifier 50->50, z-encoder 10->2) where fixed costs
        // show.
        foreach (
            var (m, k, n, ta, tb, what) in new[]
            {
                (10000, 500, 784, false, false, "forward X W"),
                (10000, 784, 500, false, true, "input grad dZ W^T"),
                (500, 10000, 784, true, false, "weight grad X^T dZ"),
                (10000, 784, 50, false, false, "narrow forward"),
                (784, 10000, 50, true, false, "narrow weight grad"),
                (10000, 784, 10, false, false, "narrow forward"),
                (784, 10000, 10, true, false, "narrow weight grad"),
                (10000, 12, 250, false, false, "short-K forward"),
                (10000, 250, 500, false, false, "hidden forward"),
                (10000, 500, 250, false, true, "hidden input grad"),
                (250, 10000, 500, true, false, "hidden weight grad"),
                (10000, 50, 50, false, false, "small forward"),
                (50, 10000, 50, true, false, "small weight grad"),
                (10000, 50, 50, false, true, "small input grad"),
                (10000, 10, 2, false, false, "tiny forward"),
                (10, 10000, 2, true, false, "tiny weight grad"),
                (10000, 2, 10, false, true, "tiny input grad"),
            }
        )
        {
            if (only != null && !$"{m}x{k}x{n} {what}".Contains(only))
                continue;
            var r = new Random(1);
            var a = new float[m * k];
            var b = new float[k * n];
            for (int i = 0; i < a.Length; i++)
                a[i] = r.NextSingle() - 0.5f;
            for (int i = 0; i < b.Length; i++)
                b[i] = r.NextSingle() - 0.5f;
            using var A = acc.Upload(a);
            using var Bm = acc.Upload(b);
            using var C = acc.Allocate(m * n);
            Action oursRun = () =>
            {
                acc.Gemm(A, Bm, default, m, k, n, ta, tb, Activation.None, false, C);
                acc.Synchronize();
            };
            string theirs = "-",
                ratio = "-",
                diff = "-";
            double ours,
                oursBest;
            if (blas)
            {
                var cb = new float[m * n];
                Action blasRun = () =>
                {
                    fixed (
                        float* pa = a,
                            pb = b,
                            pc = cb
                    )
                    {
                        OpenBlas.Sgemm(pa, pb, pc, m, k, n, ta, tb, accumulate: false);
                    }
                };
                // Rep by rep, ours then theirs, so that a noisy neighbour hits both alike; the ratio is the median of
                // the per-rep ratios, steadier on a shared machine than the ratio of two medians.
                var (o, t, q, oMin, tMin) = TimePair(reps, oursRun, blasRun);
                (ours, oursBest) = (o, oMin);
                var c = acc.ToArray(C);
                double worst = 0,
                    scale = cb.Max(Math.Abs);
                for (int i = 0; i < c.Length; i++)
                    worst = Math.Max(worst, Math.Abs(c[i] - cb[i]) / scale);
                if (worst > 1e-4)
                {
                    throw new InvalidOperationException(
                        $"{what}: ours differs from OpenBLAS by {worst:G3} (relative to max |C|)"
                    );
                }

                theirs = $"{Gflops(m, k, n, tMin):F1} ({Gflops(m, k, n, t):F1})";
                ratio = $"{tMin / oMin:P0} ({q:P0})";
                diff = $"{worst:G2}";
            }
            else
            {
                ours = Time(reps, oursRun, out oursBest);
            }

            Console.WriteLine(
                $"| {m}x{k}x{n} | {what} | {Gflops(m, k, n, oursBest):F1} ({Gflops(m, k, n, ours):F1}) | {theirs} | {ratio} | {diff} |"
            );
        }
    }

    static double Gflops(int m, int k, int n, double ms) => 2.0 * m * k * n / (ms * 1e6);

    /// <summary>
    /// Median milliseconds of each of two runs timed alternately over <paramref name="reps"/> rounds after one warm-up
    /// each, the median over rounds of second / first (the first's speed relative to the second), and each run's
    /// minimum (its least disturbed rep: on a shared machine the headline, medians beside it). Each timed run starts with
    /// the other's threads asleep (<see cref="OpenBlas.Quiesce"/>).
    /// </summary>
    public static (double First, double Second, double Ratio, double FirstMin, double SecondMin) TimePair(
        int reps,
        Action first,
        Action second
    )
    {
        first();
        second();
        var (f, s, r) = (new List<double>(), new List<double>(), new List<double>());
        for (int i = 0; i < reps; i++)
        {
            OpenBlas.Quiesce();
            long t0 = Stopwatch.GetTimestamp();
            first();
            double a = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            OpenBlas.Quiesce();
            t0 = Stopwatch.GetTimestamp();
            second();
            double b = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            f.Add(a);
            s.Add(b);
            r.Add(b / a);
        }
        return (LimitBench.Median(f), LimitBench.Median(s), LimitBench.Median(r), f.Min(), s.Min());
    }

    /// <summary>Median milliseconds over <paramref name="reps"/> runs after one warm-up.</summary>
    public static double Time(int reps, Action run) => Time(reps, run, out double _);

    /// <summary>The median milliseconds of <paramref name="reps"/> runs after a warm-up, and their minimum.</summary>
    public static double Time(int reps, Action run, out double min)
    {
        run();
        var t = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            t.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        t.Sort();
        min = t[0];
        return t[t.Count / 2];
    }
}

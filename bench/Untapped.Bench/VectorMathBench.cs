using System.Diagnostics;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;

namespace Untapped.Bench;

/// <summary>
/// The managed CPU's elementwise maths on one core with its operands in L1 (8,192 floats; the log-likelihood as rows of
/// 784): ns an element, the fastest and the median of <c>reps</c> rounds of 200 calls. Every VectorMath function the
/// step runs, the two ops the CPU runs in two passes beside their one-pass composition (<see
/// cref="Elementwise.MapThen"/>, <see cref="CpuBackend.LogLikRow"/>: the same bits, the chain split so the core
/// overlaps vectors), and Philox's fills.
/// What a change to one of them does, without the rest of a kernel around it; `bench kernels` times the kernels at the
/// model's sizes.
/// </summary>
static class VectorMathBench
{
    const int N = 8192,
        D = 784,
        Rows = N / D + 1;

    public static void Run(int reps)
    {
        var r = new Random(1);
        float[] x = Fill(r, N, () => 8 * (r.NextSingle() - 0.5f)),
            positive = Fill(r, N, () => 100 * r.NextSingle() + 1e-3f),
            u = Fill(r, N, () => Philox.ToUnit((uint)r.Next() << 1)),
            bits = Fill(r, Rows * D, () => r.NextSingle() < 0.3f ? 1f : 0f),
            logits = Fill(r, Rows * D, () => 8 * (r.NextSingle() - 0.5f)),
            y = new float[Rows * D],
            scratch = new float[D];
        var term = new CpuBackend.LogLikTerm(true);
        Console.WriteLine(
            $"elementwise maths on one core ({Lanes.Path}), operands in L1, {reps} rounds\n"
                + "| function | ns an element, fastest round | median round |\n|---|---:|---:|"
        );
        Row("exp", N, reps, () => Elementwise.Map<ExpOp>(x, y));
        Row("log", N, reps, () => Elementwise.Map<LogOp>(positive, y));
        Row("tanh", N, reps, () => Elementwise.Map<TanhOp>(x, y));
        Row("sigmoid", N, reps, () => Elementwise.Map<SigmoidOp>(x, y));
        Row("softplus", N, reps, () => Elementwise.Map<SoftplusOp>(x, y));
        Row("relaxed Bernoulli sample, one pass", N, reps, () =>
            Elementwise.Map(new CpuBackend.RelaxedSampleOp(1f), x, u, y, bPad: 0.5f)
        );
        Row("relaxed Bernoulli sample, two passes (as run)", N, reps, () =>
            Elementwise.MapThen<CpuBackend.RelaxedLogitOp, SigmoidOp>(new(1f), x, u, y, bPad: 0.5f)
        );
        Row("Bernoulli log-likelihood row, one pass", Rows * D, reps, () =>
        {
            for (int i = 0; i < Rows; i++)
                y[i] = RowSum.Of(term, bits.AsSpan(i * D, D), logits.AsSpan(i * D, D));
        });
        Row("Bernoulli log-likelihood row, two passes (as run)", Rows * D, reps, () =>
        {
            for (int i = 0; i < Rows; i++)
            {
                y[i] = CpuBackend.LogLikRow(
                    new CpuBackend.LogLikOfExpTerm(term),
                    term,
                    bits.AsSpan(i * D, D),
                    logits.AsSpan(i * D, D),
                    scratch,
                    default
                );
            }
        });
        var grad = new float[Rows * D];
        Row("Bernoulli log-likelihood and gradient row, two passes (as run)", Rows * D, reps, () =>
        {
            for (int i = 0; i < Rows; i++)
            {
                y[i] = CpuBackend.LogLikRow(
                    new CpuBackend.LogLikGradTerm(true, 0.5f),
                    term,
                    bits.AsSpan(i * D, D),
                    logits.AsSpan(i * D, D),
                    scratch,
                    grad.AsSpan(i * D, D)
                );
            }
        });
        Row("Philox uniform draws", N, reps, () => Philox.Uniform(42, 7, 3, 0, y.AsSpan(0, N)));
        Row("Philox normal draws", N, reps, () => Philox.Normal(42, 7, 3, 0, y.AsSpan(0, N)));
    }

    static float[] Fill(Random r, int n, Func<float> next)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
            a[i] = next();
        return a;
    }

    static void Row(string name, int elements, int reps, Action run)
    {
        const int calls = 200;
        run();
        var ns = new List<double>();
        for (int round = 0; round < reps; round++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int c = 0; c < calls; c++)
                run();
            ns.Add(Stopwatch.GetElapsedTime(t0).TotalNanoseconds / ((double)calls * elements));
        }
        Console.WriteLine($"| {name} | {ns.Min():F3} | {LimitBench.Median(ns):F3} |");
    }
}

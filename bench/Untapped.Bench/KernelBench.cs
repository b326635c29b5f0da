using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;

namespace Untapped.Bench;

/// <summary>
/// llm.c-style kernel microbenchmarks at the model's sizes: each case first runs on the chosen backend and on a
/// single-thread managed CPU reference and must agree (|diff| &lt;= atol + rtol |ref|), then is timed (median) and
/// reported as GB/s of compulsory traffic, next to a measured memory-copy bandwidth of this machine.
/// </summary>
public static unsafe class KernelBench
{
    public sealed record Case(string Name, long Bytes, float Atol, float Rtol, Func<Random, float[][]> Data, Action<Accelerator, View[]> Run, int Output);

    const int M = 10_000, D = 784, K = 10, P = 571_948;

    static float[] U(Random r, int n, float lo = -1, float hi = 1) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * r.NextSingle(); return a; }
    static float[] Bits(Random r, int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = r.Next(2); return a; }
    static float[] Probs(Random r, int m, int k) { var a = U(r, m * k, 0.1f, 1); for (int i = 0; i < m; i++) { float s = 0; for (int j = 0; j < k; j++) s += a[i * k + j]; for (int j = 0; j < k; j++) a[i * k + j] /= s; } return a; }

    public static IEnumerable<Case> Cases()
    {
        long md = (long)M * D * 4;
        yield return new("philox_uniform", md, 0, 0, r => [new float[M * D]], (a, v) => a.PhiloxUniform(1, 2, 3, M * D, v[0]), 0);
        yield return new("bernoulli_loglik", 2 * md, 1e-3f, 1e-5f, r => [Bits(r, M * D), U(r, M * D, -5, 5), new float[M]], (a, v) => a.BernoulliLogLik(v[0], v[1], M, D, BernoulliForm.Exact, v[2]), 2);
        // As in the step: x is data (no dx) and dlogits is written, not added to.
        yield return new("bernoulli_loglik_backward", 3 * md, 1e-5f, 1e-5f, r => [Bits(r, M * D), U(r, M * D, -5, 5), U(r, M), new float[M * D]],
            (a, v) => a.BernoulliLogLikBackward(v[0], v[1], v[2], M, D, BernoulliForm.Original, false, v[3], default), 3);
        yield return new("bernoulli_sample", 3 * md, 0, 0, r => [U(r, M * D, -3, 3), U(r, M * D, 0.01f, 0.99f), new float[M * D]], (a, v) => a.BernoulliSample(v[0], v[1], M * D, 1, false, BernoulliForm.Original, v[2]), 2);
        yield return new("bernoulli_sample_relaxed", 3 * md, 1e-6f, 1e-5f, r => [U(r, M * D, -3, 3), U(r, M * D, 0.01f, 0.99f), new float[M * D]], (a, v) => a.BernoulliSample(v[0], v[1], M * D, 1, true, BernoulliForm.Exact, v[2]), 2);
        yield return new("act_bias_backward_tanh", 3L * M * 500 * 4, 1e-5f, 1e-4f, r => [U(r, M * 500, -0.9f, 0.9f), U(r, M * 500), new float[M * 500], new float[500]], (a, v) => { a.Fill(500, 0f, v[3]); a.ActBiasBackward(v[0], v[1], M, 500, Activation.Tanh, v[2], v[3]); }, 2);
        // db sums 10,000 values of either sign: backends that add in another order differ by ~1e-4 near zero.
        yield return new("act_bias_backward_none", M * 500 * 4L, 1e-3f, 1e-4f, r => [U(r, M * 500), U(r, M * 500), new float[500]], (a, v) => { a.Fill(500, 0f, v[2]); a.ActBiasBackward(v[0], v[1], M, 500, Activation.None, v[1], v[2]); }, 2);
        yield return new("l2_distance", 2 * md, 1e-3f, 1e-5f, r => [U(r, M * D), Bits(r, M * D), new float[M]], (a, v) => a.L2Distance(v[0], v[1], M, D, v[2]), 2);
        yield return new("gumbel_softmax", 3L * M * K * 4, 1e-6f, 1e-5f, r => [U(r, M * K, -3, 3), U(r, M * K, 0.01f, 0.99f), new float[M * K]], (a, v) => a.GumbelSoftmax(v[0], v[1], M, K, 1, v[2]), 2);
        yield return new("concrete_logpdf", 2L * M * K * 4, 1e-4f, 1e-5f, r => [U(r, M * K, -3, 3), Probs(r, M, K), new float[M]], (a, v) => a.ConcreteLogPdf(v[0], v[1], M, K, 1, v[2]), 2);
        yield return new("sum_squares_partials", (long)P * 4, 1e-3f, 1e-4f, r => [U(r, P), new float[Accelerator.NormPartials]], (a, v) => a.SumSquaresPartials(v[0], P, v[1]), 1);
        yield return new("adam", 7L * P * 4, 1e-6f, 1e-4f, r => [U(r, Accelerator.NormPartials, 0, 1e-3f), U(r, P), U(r, P), U(r, P, -0.01f, 0.01f), U(r, P, 0, 0.01f)],
            (a, v) => a.Adam(v[0], P, AdamStep.At(10, 0.01, 0.9, 0.999, 1e-4, 5, 1), v[1], v[2], v[3], v[4]), 1);
    }

    /// <summary>GB/s of a large Buffer.MemoryCopy (read + write counted), on one thread and on <paramref name="threads"/>.</summary>
    public static double CopyBandwidth(int threads)
    {
        const int n = 64 << 20;
        var src = new byte[n]; var dst = new byte[n];
        new Random(1).NextBytes(src);
        double ms = GemmBench.Time(5, () => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            long chunk = n / threads;
            fixed (byte* s = src, d = dst) Buffer.MemoryCopy(s + t * chunk, d + t * chunk, chunk, chunk);
        }));
        return 2.0 * n / (ms * 1e6);
    }

    /// <summary>GB/s of <see cref="Accelerator.Copy"/> of 256 MiB (read + write counted): on a GPU, its device-to-device copy.</summary>
    public static double DeviceCopyBandwidth(Accelerator acc, int reps)
    {
        const int n = 64 << 20;
        using var a = acc.Allocate(n); using var b = acc.Allocate(n);
        acc.Fill(n, 1f, a);
        double ms = GemmBench.Time(reps, () => { acc.Copy(a, b); acc.Synchronize(); });
        return 2.0 * 4 * n / (ms * 1e6);
    }

    public static void Run(Accelerator acc, int threads, int reps)
    {
        // The managed CPU's reference is a multi-threaded host copy; a device's is its own device-to-device copy.
        double copy = acc.Kind == AcceleratorKind.Cpu ? CopyBandwidth(threads) : DeviceCopyBandwidth(acc, reps);
        Console.WriteLine($"memory copy on {acc.Name}: {copy:F1} GB/s (read + write)\n");
        Console.WriteLine($"| kernel on {acc.Name} | ms | GB/s | of copy | validated |\n|---|---:|---:|---:|---|");
        using var reference = new CpuAccelerator(1);
        foreach (var c in Cases())
        {
            var bufs = Validate(c, acc, reference);
            double ms = GemmBench.Time(reps, () => { c.Run(acc, bufs.Select(b => b.View).ToArray()); acc.Synchronize(); });
            double gbs = c.Bytes / (ms * 1e6);
            Console.WriteLine($"| {c.Name} | {ms:F2} | {gbs:F1} | {gbs / copy:P0} | yes |");
            foreach (var b in bufs) b.Dispose();
        }
    }

    /// <summary>Runs a case on <paramref name="acc"/> and on the reference; throws unless they agree. Returns the backend's buffers.</summary>
    public static DeviceBuffer[] Validate(Case c, Accelerator acc, Accelerator reference)
    {
        var (r, bufs) = Check(c, acc, reference);
        if (!r.Pass) throw new InvalidOperationException($"{c.Name}: output differs from the CPU reference at {r.Problem}");
        return bufs;
    }

    /// <summary>Runs a case on <paramref name="acc"/> and on the reference and measures the output (<see cref="Tolerance"/>).</summary>
    public static (Tolerance.Result Result, DeviceBuffer[] Buffers) Check(Case c, Accelerator acc, Accelerator reference)
    {
        var data = c.Data(new Random(5));
        var bufs = data.Select(d => acc.Upload(d)).ToArray();
        var refs = data.Select(d => reference.Upload(d)).ToArray();
        c.Run(acc, bufs.Select(b => b.View).ToArray());
        c.Run(reference, refs.Select(b => b.View).ToArray());
        var got = acc.ToArray(bufs[c.Output]); var want = reference.ToArray(refs[c.Output]);
        foreach (var b in refs) b.Dispose();
        return (Tolerance.Measure(want, got, c.Atol, c.Rtol), bufs);
    }
}

using Untapped.Kernels;

namespace Untapped.Bench;

/// <summary>
/// The GEMM-level fusions of the dense layers against the calls they replace, on the model's shapes, alternated call by
/// call in one process (each side's minimum and median over the reps, ratio of the minima): <see cref="Backend.Gemms"/>
/// of one A (the classifier's 784 -> 50 and the z-encoder's 784 -> 10 first layers on one batch, forward and weight
/// gradient) against two <see cref="Backend.Gemm"/> calls, and a weight gradient with its bias gradient as the sums of
/// B against the GEMM then <see cref="Backend.ActBiasBackward"/>. Each pair is checked bit for bit first.
/// </summary>
static class GemmFusionBench
{
    public static void Run(Backend acc, int reps)
    {
        Console.WriteLine($"GEMM fusions on {acc.Name}, {reps} alternated calls each ({DateTime.UtcNow:yyyy-MM-dd})");
        Console.WriteLine("| fused call | fused min ms (median) | apart min ms (median) | fused / apart (minima) |");
        Console.WriteLine("|---|---:|---:|---:|");
        var r = new Random(1);
        using var x = acc.Upload(Rand(r, 10000 * 784));
        foreach (bool weightGradient in new[] { false, true })
        {
            // Forward: X [10000,784] W; weight gradient: X^T dZ with X as stored, [10000,784].
            int m = weightGradient ? 784 : 10000,
                k = weightGradient ? 10000 : 784;
            int[] widths = [50, 10];
            var bs = widths.Select(n => acc.Upload(Rand(r, k * n))).ToArray();
            var cs = widths.Select(n => acc.Allocate(m * n)).ToArray();
            using var bias = acc.Upload(Rand(r, 50));
            var outs = widths
                .Select(
                    (n, i) =>
                        weightGradient
                            ? new GemmOutput(bs[i], default, n, Activation.None, true, cs[i])
                            : new GemmOutput(bs[i], i == 0 ? bias.View : default, n, Activation.Tanh, false, cs[i])
                )
                .ToArray();
            Compare(
                acc,
                reps,
                $"{m}x{k}x(50+10) {(weightGradient ? "TN weight gradients" : "NN forwards")}: Gemms of one A",
                () => acc.Gemms(x, m, k, weightGradient, false, outs),
                () =>
                {
                    foreach (var o in outs)
                        acc.Gemm(x, o.B, o.Bias, m, k, o.N, weightGradient, false, o.Act, o.Accumulate, o.C);
                },
                cs
            );
            foreach (var b in bs.Concat(cs))
                b.Dispose();
        }
        foreach (var (m, n) in new[] { (500, 784), (250, 500) })
        {
            const int k = 10000;
            using var a = acc.Upload(Rand(r, k * m));
            using var dz = acc.Upload(Rand(r, k * n));
            using var dw = acc.Allocate(m * n);
            using var db = acc.Allocate(n);
            Compare(
                acc,
                reps,
                $"{m}x{k}x{n} TN weight gradient with db as its sums of B",
                () => acc.Gemm(a, dz, default, m, k, n, true, false, Activation.None, true, dw, sumsOfB: db),
                () =>
                {
                    acc.Gemm(a, dz, default, m, k, n, true, false, Activation.None, true, dw);
                    acc.ActBiasBackward(dz, dz, k, n, Activation.None, dz, db);
                },
                [dw, db]
            );
        }
    }

    // Both sides from the same starting outputs give the same bits (checked once), then alternate call by call.
    static void Compare(Backend acc, int reps, string what, Action fused, Action apart, BackendBuffer[] outputs)
    {
        var start = outputs.Select(o => acc.ToArray(o)).ToArray();
        float[][] After(Action run)
        {
            for (int i = 0; i < outputs.Length; i++)
                acc.CopyFromHost(start[i], outputs[i]);
            run();
            acc.Synchronize();
            return outputs.Select(o => acc.ToArray(o)).ToArray();
        }
        var (f, s) = (After(fused), After(apart));
        for (int i = 0; i < f.Length; i++)
        {
            if (!f[i].Select(BitConverter.SingleToInt32Bits).SequenceEqual(s[i].Select(BitConverter.SingleToInt32Bits)))
            {
                throw new InvalidOperationException(
                    $"{what}: the fused call's output {i} is not the separate calls' bits"
                );
            }
        }
        // Call by call, fused then apart, after one warm-up each (GemmBench.TimePair): each side's minimum, its median.
        var (fMed, sMed, _, fMin, sMin) = GemmBench.TimePair(
            reps,
            () =>
            {
                fused();
                acc.Synchronize();
            },
            () =>
            {
                apart();
                acc.Synchronize();
            }
        );
        Console.WriteLine($"| {what} | {fMin:F2} ({fMed:F2}) | {sMin:F2} ({sMed:F2}) | {fMin / sMin:F3} |");
    }

    static float[] Rand(Random r, int n)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++)
            v[i] = r.NextSingle() - 0.5f;
        return v;
    }
}

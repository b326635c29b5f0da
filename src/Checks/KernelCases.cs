using Untapped.Kernels;

namespace Untapped.Checks;

/// <summary>One kernel invocation on random inputs; outputs are compared across backends with atol + rtol.</summary>
public sealed record KernelCase(string Name, float Atol, float Rtol, Func<Random, Dictionary<string, float[]>> Data, string[] Outputs, Action<Backend, Harness> Run)
{
    public override string ToString() => Name;
}

/// <summary>The catalogue's cases, forward and backward. Sizes are deliberately not multiples of the tiles.</summary>
public static class KernelCases
{
    const int M = 37, D = 301, K = 10;

    static Dictionary<string, float[]> D_(params (string, float[])[] items) => items.ToDictionary(i => i.Item1, i => i.Item2);

    public static IEnumerable<KernelCase> All()
    {
        yield return new("philox_uniform", 0, 0, r => D_(("o", new float[1001])), ["o"], (a, h) => a.PhiloxUniform(0x1234_5678_9abc_def0UL, 7, 3, 1001, h["o"]));
        yield return new("philox_normal", 2e-6f, 2e-6f, r => D_(("o", new float[1003])), ["o"], (a, h) => a.PhiloxNormal(42, 9, 1, 1003, h["o"]));

        foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
            foreach (var act in Enum.GetValues<Activation>())
            {
                int m = 70, k = 37, n = 66;
                yield return new($"gemm_{(ta ? 't' : 'n')}{(tb ? 't' : 'n')}_{act}", 1e-5f, 1e-4f,
                    r => D_(("a", Gen.Uniform(r, m * k)), ("b", Gen.Uniform(r, k * n)), ("bias", Gen.Uniform(r, n)), ("c", Gen.Uniform(r, m * n))),
                    ["c"], (a, h) => a.Gemm(h["a"], h["b"], h["bias"], m, k, n, ta, tb, act, accumulate: act == Activation.Softplus, h["c"]));
            }
        // Views at odd offsets of larger buffers, the way the flat parameter arena is used; K spans several slabs.
        yield return new("gemm_views_deep_k", 1e-4f, 1e-4f,
            r => D_(("a", Gen.Uniform(r, 5 + 130 * 300)), ("b", Gen.Uniform(r, 3 + 300 * 77)), ("c", Gen.Uniform(r, 11 + 130 * 77))),
            ["c"], (a, h) => a.Gemm(h["a"].Slice(5, 130 * 300), h["b"].Slice(3, 300 * 77), default, 130, 300, 77, false, false, Activation.None, false, h["c"].Slice(11, 130 * 77)));

        // 301 rows span three CPU row blocks and 37 columns two device column groups; db accumulates onto its old value.
        // 7 columns take the CPU's narrow column-sum path.
        foreach (var act in Enum.GetValues<Activation>())
            foreach (bool inPlace in new[] { false, true })
                foreach (int n in new[] { 37, 7 })
                {
                    const int m = 301;
                    yield return new($"act_bias_backward_{act}{(inPlace ? "_in_place" : "")}{(n == 37 ? "" : $"_n{n}")}", 1e-6f, 1e-4f,
                        r => D_(("y", Gen.Uniform(r, m * n, act == Activation.Softplus ? 0.01f : -0.99f, 0.99f)), ("dy", Gen.Uniform(r, m * n)),
                            ("dz", new float[m * n]), ("db", Gen.Uniform(r, n))),
                        inPlace ? ["dy", "db"] : ["dz", "db"],
                        (a, h) => a.ActBiasBackward(h["y"], h["dy"], m, n, act, inPlace ? h["dy"] : h["dz"], h["db"]));
                }

        foreach (var form in Enum.GetValues<BernoulliForm>())
        {
            yield return new($"bernoulli_loglik_{form}", 1e-3f, 1e-5f, r => D_(("x", Gen.Bits(r, M * D)), ("l", Gen.Uniform(r, M * D, -14, 14)), ("o", new float[M])), ["o"],
                (a, h) => a.BernoulliLogLik(h["x"], h["l"], M, D, form, h["o"]));
            yield return new($"bernoulli_loglik_backward_{form}", 1e-5f, 1e-5f,
                r => D_(("x", Gen.Uniform(r, M * D, 0, 1)), ("l", Gen.Uniform(r, M * D, -14, 14)), ("g", Gen.Uniform(r, M)), ("dl", Gen.Uniform(r, M * D)), ("dx", Gen.Uniform(r, M * D))),
                ["dl", "dx"], (a, h) => a.BernoulliLogLikBackward(h["x"], h["l"], h["g"], M, D, form, true, h["dl"], h["dx"]));
            // Overwriting: the old dlogits are NaN and must not leak into the result.
            yield return new($"bernoulli_loglik_backward_overwrite_{form}", 1e-5f, 1e-5f,
                r => D_(("x", Gen.Uniform(r, M * D, 0, 1)), ("l", Gen.Uniform(r, M * D, -14, 14)), ("g", Gen.Uniform(r, M)), ("dl", Enumerable.Repeat(float.NaN, M * D).ToArray())),
                ["dl"], (a, h) => a.BernoulliLogLikBackward(h["x"], h["l"], h["g"], M, D, form, false, h["dl"], default));
        }
        yield return new("bernoulli_sample_hard", 0, 0, r => D_(("l", Gen.Uniform(r, 5000, -4, 4)), ("u", Gen.Uniform(r, 5000, 0.001f, 0.999f)), ("o", new float[5000])), ["o"],
            (a, h) => a.BernoulliSample(h["l"], h["u"], 5000, 1f, false, BernoulliForm.Original, h["o"]));
        yield return new("bernoulli_sample_relaxed", 1e-6f, 1e-5f, r => D_(("l", Gen.Uniform(r, 5000, -4, 4)), ("u", Gen.Uniform(r, 5000, 0.001f, 0.999f)), ("o", new float[5000])), ["o"],
            (a, h) => a.BernoulliSample(h["l"], h["u"], 5000, 0.7f, true, BernoulliForm.Exact, h["o"]));
        yield return new("bernoulli_sample_backward", 1e-6f, 1e-5f, r => D_(("x", Gen.Uniform(r, 5000, 0, 1)), ("d", Gen.Uniform(r, 5000)), ("o", Gen.Uniform(r, 5000))), ["o"],
            (a, h) => a.BernoulliSampleBackward(h["x"], h["d"], 5000, 0.7f, h["o"]));

        yield return new("gaussian_sample", 1e-6f, 1e-5f, r => D_(("mu", Gen.Uniform(r, 2 * M)), ("s", Gen.Uniform(r, 2 * M, 0.1f, 2)), ("e", Gen.Uniform(r, 2 * M, -3, 3)), ("z", new float[2 * M])), ["z"],
            (a, h) => a.GaussianSample(h["mu"], h["s"], h["e"], 2 * M, h["z"]));
        yield return new("gaussian_sample_backward", 1e-6f, 1e-5f, r => D_(("e", Gen.Uniform(r, 2 * M)), ("dz", Gen.Uniform(r, 2 * M)), ("dm", Gen.Uniform(r, 2 * M)), ("ds", Gen.Uniform(r, 2 * M))), ["dm", "ds"],
            (a, h) => a.GaussianSampleBackward(h["e"], h["dz"], 2 * M, h["dm"], h["ds"]));
        yield return new("gaussian_logpdf", 1e-5f, 1e-5f, r => D_(("z", Gen.Uniform(r, 2 * M, -3, 3)), ("mu", Gen.Uniform(r, 2 * M)), ("s", Gen.Uniform(r, 2 * M, 0.1f, 2)), ("o", new float[M])), ["o"],
            (a, h) => a.GaussianLogPdf(h["z"], h["mu"], h["s"], M, 2, h["o"]));
        yield return new("gaussian_logpdf_backward", 1e-5f, 1e-5f,
            r => D_(("z", Gen.Uniform(r, 2 * M, -3, 3)), ("mu", Gen.Uniform(r, 2 * M)), ("s", Gen.Uniform(r, 2 * M, 0.1f, 2)), ("g", Gen.Uniform(r, M)), ("dz", Gen.Uniform(r, 2 * M)), ("dm", Gen.Uniform(r, 2 * M)), ("ds", Gen.Uniform(r, 2 * M))),
            ["dz", "dm", "ds"], (a, h) => a.GaussianLogPdfBackward(h["z"], h["mu"], h["s"], h["g"], M, 2, h["dz"], h["dm"], h["ds"]));

        foreach (var form in Enum.GetValues<LogDetForm>())
        {
            yield return new($"logistic_flow_{form}", 1e-5f, 1e-5f, r => D_(("t", Gen.Uniform(r, 2 * M, -6, 6)), ("z", new float[2 * M]), ("ld", new float[M])), ["z", "ld"],
                (a, h) => a.LogisticFlow(h["t"], M, 2, -1.5f, 1.5f, form, h["z"], h["ld"]));
            yield return new($"logistic_flow_backward_{form}", 1e-5f, 1e-4f,
                r => D_(("t", Gen.Uniform(r, 2 * M, -6, 6)), ("dz", Gen.Uniform(r, 2 * M)), ("dl", Gen.Uniform(r, M)), ("o", Gen.Uniform(r, 2 * M))), ["o"],
                (a, h) => a.LogisticFlowBackward(h["t"], h["dz"], h["dl"], M, 2, -MathF.PI / 2, MathF.PI / 2, form, h["o"]));
        }
        yield return new("logistic_flow_inverse", 1e-4f, 1e-5f, r => D_(("z", Gen.Uniform(r, 2 * M, -1.6f, 1.6f)), ("t", new float[2 * M])), ["t"],
            (a, h) => a.LogisticFlowInverse(h["z"], 2 * M, -1.5f, 1.5f, h["t"]));

        yield return new("gumbel_softmax_noise", 1e-6f, 1e-5f, r => D_(("l", Gen.Uniform(r, M * K, -3, 3)), ("u", Gen.Uniform(r, M * K, 0, 1)), ("y", new float[M * K])), ["y"],
            (a, h) => a.GumbelSoftmax(h["l"], h["u"], M, K, 0.8f, h["y"]));
        yield return new("softmax", 1e-6f, 1e-5f, r => D_(("l", Gen.Uniform(r, M * K, -3, 3)), ("y", new float[M * K])), ["y"],
            (a, h) => a.GumbelSoftmax(h["l"], default, M, K, 1f, h["y"]));
        yield return new("gumbel_softmax_backward", 1e-6f, 1e-5f, r => D_(("y", Gen.Simplex(r, M, K)), ("dy", Gen.Uniform(r, M * K)), ("o", Gen.Uniform(r, M * K))), ["o"],
            (a, h) => a.GumbelSoftmaxBackward(h["y"], h["dy"], M, K, 0.8f, h["o"]));
        yield return new("concrete_logpdf", 1e-4f, 1e-5f, r => D_(("l", Gen.Uniform(r, M * K, -3, 3)), ("y", Gen.Simplex(r, M, K)), ("o", new float[M])), ["o"],
            (a, h) => a.ConcreteLogPdf(h["l"], h["y"], M, K, 0.9f, h["o"]));
        yield return new("concrete_logpdf_backward", 1e-5f, 1e-5f,
            r => D_(("l", Gen.Uniform(r, M * K, -3, 3)), ("y", Gen.Simplex(r, M, K)), ("g", Gen.Uniform(r, M)), ("dl", Gen.Uniform(r, M * K)), ("dy", Gen.Uniform(r, M * K))),
            ["dl", "dy"], (a, h) => a.ConcreteLogPdfBackward(h["l"], h["y"], h["g"], M, K, 0.9f, h["dl"], h["dy"]));

        yield return new("clipped_ce", 1e-6f, 1e-5f, r => D_(("p", Gen.Simplex(r, M, K)), ("t", Gen.OneHot(r, M, K)), ("o", new float[M])), ["o"],
            (a, h) => a.ClippedCrossEntropy(h["p"], h["t"], M, K, h["o"]));
        yield return new("clipped_ce_backward", 1e-6f, 1e-5f, r => D_(("p", Gen.Simplex(r, M, K)), ("t", Gen.OneHot(r, M, K)), ("g", Gen.Uniform(r, M)), ("o", Gen.Uniform(r, M * K))), ["o"],
            (a, h) => a.ClippedCrossEntropyBackward(h["p"], h["t"], h["g"], M, K, h["o"]));
        yield return new("l2_distance", 1e-5f, 1e-5f, r => D_(("a", Gen.Uniform(r, M * D)), ("b", Gen.Bits(r, M * D)), ("o", new float[M])), ["o"],
            (a, h) => a.L2Distance(h["a"], h["b"], M, D, h["o"]));
        yield return new("l2_distance_backward", 1e-6f, 1e-5f,
            r => D_(("a", Gen.Uniform(r, M * D)), ("b", Gen.Bits(r, M * D)), ("n", Gen.Uniform(r, M, 1, 10)), ("g", Gen.Uniform(r, M)), ("o", Gen.Uniform(r, M * D))), ["o"],
            (a, h) => a.L2DistanceBackward(h["a"], h["b"], h["n"], h["g"], M, D, true, h["o"]));
        // Overwriting: the old contents are NaN; every fifth row has distance 0 and must come out as zeros.
        yield return new("l2_distance_backward_overwrite", 1e-6f, 1e-5f,
            r => D_(("a", Gen.Uniform(r, M * D)), ("b", Gen.Bits(r, M * D)), ("n", Enumerable.Range(0, M).Select(i => i % 5 == 0 ? 0f : 1 + i % 7).ToArray()),
                ("g", Gen.Uniform(r, M)), ("o", Enumerable.Repeat(float.NaN, M * D).ToArray())), ["o"],
            (a, h) => a.L2DistanceBackward(h["a"], h["b"], h["n"], h["g"], M, D, false, h["o"]));
        yield return new("row_mean_accumulate", 1e-5f, 1e-5f, r => D_(("v", Gen.Uniform(r, 10007)), ("o", Gen.Uniform(r, 3))), ["o"],
            (a, h) => a.RowMeanAccumulate(h["v"], 10007, 0.1f, h["o"].Slice(1, 1)));
        yield return new("copy", 0, 0, r => D_(("a", Gen.Uniform(r, 1000)), ("o", Gen.Uniform(r, 1000))), ["o"], (a, h) => a.Copy(h["a"].Slice(3, 777), h["o"].Slice(100, 777)));
        yield return new("fill", 0, 0, r => D_(("o", Gen.Uniform(r, 1000))), ["o"], (a, h) => a.Fill(777, 2.5f, h["o"].Slice(100, 777)));
        yield return new("sum_squares_partials", 1e-4f, 1e-5f, r => D_(("x", Gen.Uniform(r, 100_003)), ("p", new float[Backend.NormPartials])), ["p"],
            (a, h) => a.SumSquaresPartials(h["x"], 100_003, h["p"]));
        foreach (var (clipNorm, clipValue) in new[] { (5f, 1f), (0f, 1f), (1000f, 0f) })
            yield return new($"adam_clip_{clipNorm}_{clipValue}", 1e-6f, 1e-5f,
                r => D_(("p", Gen.Uniform(r, 5003)), ("g", Gen.Uniform(r, 5003, -3, 3)), ("m", Gen.Uniform(r, 5003, -0.1f, 0.1f)), ("v", Gen.Uniform(r, 5003, 0, 0.1f)), ("s", new float[Backend.NormPartials])),
                ["p", "m", "v"], (a, h) =>
                {
                    a.SumSquaresPartials(h["g"], 5003, h["s"]);
                    a.Adam(h["s"], 5003, AdamStep.At(3, 0.01, 0.9, 0.999, 1e-4, clipNorm, clipValue), h["p"], h["g"], h["m"], h["v"]);
                });
    }

    public static KernelCase Get(string name) => All().Single(c => c.Name == name);

    static int StableSeed(string s)
    {
        uint h = 2166136261;
        foreach (char ch in s) h = (h ^ ch) * 16777619;
        return (int)(h & 0x7fffffff);
    }

    /// <summary>
    /// Runs every case on <paramref name="device"/> and on a one-thread managed CPU reference (the same seeded data) and
    /// measures each output against the case's tolerance: the parity table of the tests and of the GPU check.
    /// </summary>
    public static IEnumerable<(KernelCase Case, string Output, Tolerance.Result Result)> Parity(Backend device, Func<KernelCase, bool>? filter = null)
    {
        using var cpu = new Untapped.Kernels.Cpu.CpuBackend(1);
        foreach (var c in All().Where(c => filter?.Invoke(c) ?? true))
        {
            var expected = Execute(c, cpu);
            var actual = Execute(c, device);
            foreach (var o in c.Outputs) yield return (c, o, Tolerance.Measure(expected[o], actual[o], c.Atol, c.Rtol));
        }
    }

    /// <summary>Runs a case on an accelerator from seeded data; returns each output.</summary>
    public static Dictionary<string, float[]> Execute(KernelCase c, Backend acc)
    {
        using var h = new Harness(acc, c.Data(new Random(StableSeed(c.Name))));
        c.Run(acc, h);
        return c.Outputs.ToDictionary(o => o, h.Read);
    }
}

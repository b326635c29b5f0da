using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Tests;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>
/// A forward kernel with its backward: L = sum over outputs of &lt;g_out, out&gt; with random cotangents g_out;
/// the backward, fed the cotangents, must give dL/d(input) for every input named in Wrt (grads in "d_" + name).
/// </summary>
public sealed record GradCase(string Name, Func<Random, Dictionary<string, float[]>> Data, string[] Wrt, string[] Outputs,
    Action<Backend, Harness> Forward, Action<Backend, Harness> Backward, float Step = 1e-2f)
{
    public override string ToString() => Name;
}

public sealed class GradientTests
{
    const int M = 3, D = 7, K = 10;

    static Dictionary<string, float[]> With(Random r, string[] wrt, string[] outputs, int[] outSizes, params (string, float[])[] inputs)
    {
        var d = inputs.ToDictionary(i => i.Item1, i => i.Item2);
        foreach (var w in wrt) d["d_" + w] = new float[d[w].Length];
        for (int i = 0; i < outputs.Length; i++) { d[outputs[i]] = new float[outSizes[i]]; d["g_" + outputs[i]] = Gen.Uniform(r, outSizes[i]); }
        return d;
    }

    public static IEnumerable<GradCase> Cases()
    {
        foreach (var act in new[] { Activation.None, Activation.Tanh, Activation.Sigmoid, Activation.Softplus })
        {
            int m = 4, k = 5, n = 3;
            yield return new($"dense_{act}", r => With(r, ["x", "w", "b"], ["y"], [m * n], ("x", Gen.Uniform(r, m * k)), ("w", Gen.Uniform(r, k * n)), ("b", Gen.Uniform(r, n)), ("dz", new float[m * n])),
                ["x", "w", "b"], ["y"],
                (a, h) => a.Gemm(h["x"], h["w"], h["b"], m, k, n, false, false, act, false, h["y"]),
                (a, h) =>
                {
                    a.ActBiasBackward(h["y"], h["g_y"], m, n, act, h["dz"], h["d_b"]);
                    a.Gemm(h["x"], h["dz"], default, k, m, n, true, false, Activation.None, true, h["d_w"]);
                    a.Gemm(h["dz"], h["w"], default, m, n, k, false, true, Activation.None, true, h["d_x"]);
                });
        }
        foreach (var form in Enum.GetValues<BernoulliForm>())
            yield return new($"bernoulli_loglik_{form}", r => With(r, ["x", "l"], ["o"], [M], ("x", Gen.Uniform(r, M * D, 0.05f, 0.95f)), ("l", Gen.Uniform(r, M * D, -6, 6))),
                ["x", "l"], ["o"], (a, h) => a.BernoulliLogLik(h["x"], h["l"], M, D, form, h["o"]),
                (a, h) => a.BernoulliLogLikBackward(h["x"], h["l"], h["g_o"], M, D, form, true, h["d_l"], h["d_x"]));
        yield return new("bernoulli_sample_relaxed", r => With(r, ["l"], ["o"], [M * D], ("l", Gen.Uniform(r, M * D, -2, 2)), ("u", Gen.Uniform(r, M * D, 0.05f, 0.95f))),
            ["l"], ["o"], (a, h) => a.BernoulliSample(h["l"], h["u"], M * D, 0.7f, true, BernoulliForm.Exact, h["o"]),
            (a, h) => a.BernoulliSampleBackward(h["o"], h["g_o"], M * D, 0.7f, h["d_l"]));
        yield return new("gaussian_sample", r => With(r, ["mu", "s"], ["z"], [2 * M], ("mu", Gen.Uniform(r, 2 * M)), ("s", Gen.Uniform(r, 2 * M, 0.3f, 1.5f)), ("e", Gen.Uniform(r, 2 * M, -2, 2))),
            ["mu", "s"], ["z"], (a, h) => a.GaussianSample(h["mu"], h["s"], h["e"], 2 * M, h["z"]),
            (a, h) => a.GaussianSampleBackward(h["e"], h["g_z"], 2 * M, h["d_mu"], h["d_s"]));
        yield return new("gaussian_logpdf", r => With(r, ["z", "mu", "s"], ["o"], [M], ("z", Gen.Uniform(r, 2 * M, -2, 2)), ("mu", Gen.Uniform(r, 2 * M)), ("s", Gen.Uniform(r, 2 * M, 0.3f, 1.5f))),
            ["z", "mu", "s"], ["o"], (a, h) => a.GaussianLogPdf(h["z"], h["mu"], h["s"], M, 2, h["o"]),
            (a, h) => a.GaussianLogPdfBackward(h["z"], h["mu"], h["s"], h["g_o"], M, 2, h["d_z"], h["d_mu"], h["d_s"]));
        foreach (var form in Enum.GetValues<LogDetForm>())
            yield return new($"logistic_flow_{form}", r => With(r, ["t"], ["z", "ld"], [2 * M, M], ("t", Gen.Uniform(r, 2 * M, -2, 2))),
                ["t"], ["z", "ld"], (a, h) => a.LogisticFlow(h["t"], M, 2, -1.5f, 1.5f, form, h["z"], h["ld"]),
                (a, h) => a.LogisticFlowBackward(h["t"], h["g_z"], h["g_ld"], M, 2, -1.5f, 1.5f, form, h["d_t"]));
        yield return new("gumbel_softmax", r => With(r, ["l"], ["y"], [M * K], ("l", Gen.Uniform(r, M * K, -2, 2)), ("u", Gen.Uniform(r, M * K, 0.05f, 0.95f))),
            ["l"], ["y"], (a, h) => a.GumbelSoftmax(h["l"], h["u"], M, K, 0.7f, h["y"]),
            (a, h) => a.GumbelSoftmaxBackward(h["y"], h["g_y"], M, K, 0.7f, h["d_l"]));
        yield return new("concrete_logpdf", r => With(r, ["l", "y"], ["o"], [M], ("l", Gen.Uniform(r, M * K, -2, 2)), ("y", Gen.Simplex(r, M, K))),
            ["l", "y"], ["o"], (a, h) => a.ConcreteLogPdf(h["l"], h["y"], M, K, 0.8f, h["o"]),
            (a, h) => a.ConcreteLogPdfBackward(h["l"], h["y"], h["g_o"], M, K, 0.8f, h["d_l"], h["d_y"]), Step: 1e-3f);
        yield return new("clipped_ce", r => With(r, ["p"], ["o"], [M], ("p", Gen.Simplex(r, M, K)), ("t", Gen.OneHot(r, M, K))),
            ["p"], ["o"], (a, h) => a.ClippedCrossEntropy(h["p"], h["t"], M, K, h["o"]),
            (a, h) => a.ClippedCrossEntropyBackward(h["p"], h["t"], h["g_o"], M, K, h["d_p"]));
        yield return new("l2_distance", r => With(r, ["a"], ["o"], [M], ("a", Gen.Uniform(r, M * D)), ("b", Gen.Bits(r, M * D))),
            ["a"], ["o"], (a, h) => a.L2Distance(h["a"], h["b"], M, D, h["o"]),
            (a, h) => a.L2DistanceBackward(h["a"], h["b"], h["o"], h["g_o"], M, D, true, h["d_a"]));
    }

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var c in Cases()) d.Add(c.Name);
        return d;
    }

    /// <summary>Central differences (h = 1e-2, 1e-3 where curvature needs it) against the backward kernel: |fd - analytic| &lt;= 2e-3 + 1e-2 |fd|.</summary>
    [Theory]
    [MemberData(nameof(Names))]
    public void BackwardMatchesCentralDifferences(string name)
    {
        var c = Cases().Single(x => x.Name == name);
        var data = c.Data(new Random(11));
        using var cpu = new CpuBackend(1);
        double Loss(Dictionary<string, float[]> d)
        {
            using var h = new Harness(cpu, d);
            c.Forward(cpu, h);
            double s = 0;
            foreach (var o in c.Outputs)
            {
                var y = h.Read(o); var g = d["g_" + o];
                for (int i = 0; i < y.Length; i++) s += (double)g[i] * y[i];
            }
            return s;
        }
        Dictionary<string, float[]> analytic;
        using (var h = new Harness(cpu, data))
        {
            c.Forward(cpu, h);
            c.Backward(cpu, h);
            analytic = c.Wrt.ToDictionary(w => w, w => h.Read("d_" + w));
        }
        float step = c.Step;
        foreach (var w in c.Wrt)
            for (int i = 0; i < data[w].Length; i++)
            {
                var plus = data.ToDictionary(kv => kv.Key, kv => (float[])kv.Value.Clone());
                var minus = data.ToDictionary(kv => kv.Key, kv => (float[])kv.Value.Clone());
                plus[w][i] += step; minus[w][i] -= step;
                double fd = (Loss(plus) - Loss(minus)) / (2 * step);
                double an = analytic[w][i];
                Assert.True(Math.Abs(fd - an) <= 2e-3 + 1e-2 * Math.Abs(fd), $"{name}: d/d{w}[{i}] analytic {an:G6}, central difference {fd:G6}");
            }
    }
}

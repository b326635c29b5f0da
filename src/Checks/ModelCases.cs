using Untapped.Kernels;

namespace Untapped.Checks;

/// <summary>
/// One operation of the catalogue at the model's sizes (batch 10,000; 784 pixels; 10 classes; 2 latent dimensions;
/// the model's 571,948 parameters): <paramref name="Op"/> names the <see cref="Backend"/> method it runs,
/// <paramref name="Bytes"/> is its compulsory traffic, <paramref name="Output"/> the buffer compared.
/// </summary>
public sealed record ModelCase(string Name, string Op, long Bytes, float Atol, float Rtol, Func<Random, float[][]> Data, Action<Backend, View[]> Run, int Output)
{
    public override string ToString() => Name;
}

/// <summary>
/// The catalogue at the model's sizes, every operation at least once (a test holds it to <see cref="Catalogue.Operations"/>):
/// what `bench kernels` times (GEMMs in `bench gemm`) and what the GPU check's parity stage compares at the model's
/// shapes. Tolerances allow for reductions over 10,000 rows added in another order on a GPU.
/// </summary>
public static class ModelCases
{
    const int M = 10_000, D = 784, K = 10, Z = 2, P = 571_948;
    const long F = sizeof(float);

    static float[] U(Random r, int n, float lo = -1, float hi = 1) => Gen.Uniform(r, n, lo, hi);

    public static IEnumerable<ModelCase> All()
    {
        long md = M * D * F, mk = M * K * F, mz = M * Z * F, m = M * F;
        yield return new("philox_uniform", nameof(Backend.PhiloxUniform), md, 0, 0, r => [new float[M * D]], (a, v) => a.PhiloxUniform(1, 2, 3, M * D, v[0]), 0);
        yield return new("philox_normal", nameof(Backend.PhiloxNormal), mz, 2e-6f, 2e-6f, r => [new float[M * Z]], (a, v) => a.PhiloxNormal(1, 4, 3, M * Z, v[0]), 0);
        foreach (var (gm, gk, gn, ta, tb, act) in new[] { (M, 500, D, false, false, Activation.None), (M, D, 500, false, true, Activation.Tanh), (500, M, D, true, false, Activation.None) })
            // K up to 10,000 terms of either sign: backends that add in another order differ by ~1e-4.
            yield return new($"gemm_{(ta ? 't' : 'n')}{(tb ? 't' : 'n')}_{act} {gm}x{gk}x{gn}", nameof(Backend.Gemm), F * ((long)gm * gk + (long)gk * gn + (long)gm * gn), 2e-3f, 1e-3f,
                r => [U(r, gm * gk, -0.5f, 0.5f), U(r, gk * gn, -0.5f, 0.5f), U(r, gn, -0.5f, 0.5f), new float[gm * gn]],
                (a, v) => a.Gemm(v[0], v[1], v[2], gm, gk, gn, ta, tb, act, false, v[3]), 3);
        yield return new("act_bias_backward_tanh", nameof(Backend.ActBiasBackward), 3L * M * 500 * F, 1e-5f, 1e-4f, r => [U(r, M * 500, -0.9f, 0.9f), U(r, M * 500), new float[M * 500], new float[500]], (a, v) => { a.Fill(500, 0f, v[3]); a.ActBiasBackward(v[0], v[1], M, 500, Activation.Tanh, v[2], v[3]); }, 2);
        // db sums 10,000 values of either sign: backends that add in another order differ by ~1e-4 near zero.
        yield return new("act_bias_backward_none", nameof(Backend.ActBiasBackward), M * 500 * F, 1e-3f, 1e-4f, r => [U(r, M * 500), U(r, M * 500), new float[500]], (a, v) => { a.Fill(500, 0f, v[2]); a.ActBiasBackward(v[0], v[1], M, 500, Activation.None, v[1], v[2]); }, 2);
        yield return new("bernoulli_loglik", nameof(Backend.BernoulliLogLik), 2 * md, 1e-3f, 1e-5f, r => [Gen.Bits(r, M * D), U(r, M * D, -5, 5), new float[M]], (a, v) => a.BernoulliLogLik(v[0], v[1], M, D, BernoulliForm.Exact, v[2]), 2);
        // As in the step: x is data (no dx) and dlogits is written, not added to.
        yield return new("bernoulli_loglik_backward", nameof(Backend.BernoulliLogLikBackward), 3 * md, 1e-5f, 1e-5f, r => [Gen.Bits(r, M * D), U(r, M * D, -5, 5), U(r, M), new float[M * D]],
            (a, v) => a.BernoulliLogLikBackward(v[0], v[1], v[2], M, D, BernoulliForm.Original, false, v[3], default), 3);
        yield return new("bernoulli_sample", nameof(Backend.BernoulliSample), 3 * md, 0, 0, r => [U(r, M * D, -3, 3), U(r, M * D, 0.01f, 0.99f), new float[M * D]], (a, v) => a.BernoulliSample(v[0], v[1], M * D, 1, false, BernoulliForm.Original, v[2]), 2);
        yield return new("bernoulli_sample_relaxed", nameof(Backend.BernoulliSample), 3 * md, 1e-6f, 1e-5f, r => [U(r, M * D, -3, 3), U(r, M * D, 0.01f, 0.99f), new float[M * D]], (a, v) => a.BernoulliSample(v[0], v[1], M * D, 1, true, BernoulliForm.Exact, v[2]), 2);
        yield return new("bernoulli_sample_backward", nameof(Backend.BernoulliSampleBackward), 3 * md, 1e-6f, 1e-5f, r => [U(r, M * D, 0, 1), U(r, M * D), new float[M * D]], (a, v) => a.BernoulliSampleBackward(v[0], v[1], M * D, 1f, v[2]), 2);
        yield return new("gaussian_sample", nameof(Backend.GaussianSample), 4 * mz, 1e-6f, 1e-5f, r => [U(r, M * Z), U(r, M * Z, 0.1f, 2), U(r, M * Z, -3, 3), new float[M * Z]], (a, v) => a.GaussianSample(v[0], v[1], v[2], M * Z, v[3]), 3);
        yield return new("gaussian_sample_backward", nameof(Backend.GaussianSampleBackward), 6 * mz, 1e-6f, 1e-5f, r => [U(r, M * Z), U(r, M * Z), U(r, M * Z), U(r, M * Z)], (a, v) => a.GaussianSampleBackward(v[0], v[1], M * Z, v[2], v[3]), 3);
        yield return new("gaussian_logpdf", nameof(Backend.GaussianLogPdf), 3 * mz + m, 1e-5f, 1e-5f, r => [U(r, M * Z, -3, 3), U(r, M * Z), U(r, M * Z, 0.1f, 2), new float[M]], (a, v) => a.GaussianLogPdf(v[0], v[1], v[2], M, Z, v[3]), 3);
        yield return new("gaussian_logpdf_backward", nameof(Backend.GaussianLogPdfBackward), 9 * mz + m, 1e-5f, 1e-5f,
            r => [U(r, M * Z, -3, 3), U(r, M * Z), U(r, M * Z, 0.1f, 2), U(r, M), U(r, M * Z), U(r, M * Z), U(r, M * Z)],
            (a, v) => a.GaussianLogPdfBackward(v[0], v[1], v[2], v[3], M, Z, v[4], v[5], v[6]), 6);
        yield return new("logistic_flow", nameof(Backend.LogisticFlow), 2 * mz + m, 1e-5f, 1e-5f, r => [U(r, M * Z, -6, 6), new float[M * Z], new float[M]], (a, v) => a.LogisticFlow(v[0], M, Z, -1.5f, 1.5f, LogDetForm.Exact, v[1], v[2]), 2);
        yield return new("logistic_flow_backward", nameof(Backend.LogisticFlowBackward), 3 * mz + m, 1e-5f, 1e-4f, r => [U(r, M * Z, -6, 6), U(r, M * Z), U(r, M), U(r, M * Z)],
            (a, v) => a.LogisticFlowBackward(v[0], v[1], v[2], M, Z, -1.5f, 1.5f, LogDetForm.Original, v[3]), 3);
        yield return new("logistic_flow_inverse", nameof(Backend.LogisticFlowInverse), 2 * mz, 1e-4f, 1e-5f, r => [U(r, M * Z, -1.6f, 1.6f), new float[M * Z]], (a, v) => a.LogisticFlowInverse(v[0], M * Z, -1.5f, 1.5f, v[1]), 1);
        yield return new("gumbel_softmax", nameof(Backend.GumbelSoftmax), 3 * mk, 1e-6f, 1e-5f, r => [U(r, M * K, -3, 3), U(r, M * K, 0.01f, 0.99f), new float[M * K]], (a, v) => a.GumbelSoftmax(v[0], v[1], M, K, 1, v[2]), 2);
        yield return new("gumbel_softmax_backward", nameof(Backend.GumbelSoftmaxBackward), 4 * mk, 1e-6f, 1e-5f, r => [Gen.Simplex(r, M, K), U(r, M * K), U(r, M * K)], (a, v) => a.GumbelSoftmaxBackward(v[0], v[1], M, K, 1f, v[2]), 2);
        yield return new("concrete_logpdf", nameof(Backend.ConcreteLogPdf), 2 * mk + m, 1e-4f, 1e-5f, r => [U(r, M * K, -3, 3), Gen.Simplex(r, M, K), new float[M]], (a, v) => a.ConcreteLogPdf(v[0], v[1], M, K, 1, v[2]), 2);
        yield return new("concrete_logpdf_backward", nameof(Backend.ConcreteLogPdfBackward), 6 * mk + m, 1e-5f, 1e-5f, r => [U(r, M * K, -3, 3), Gen.Simplex(r, M, K), U(r, M), U(r, M * K), U(r, M * K)],
            (a, v) => a.ConcreteLogPdfBackward(v[0], v[1], v[2], M, K, 1f, v[3], v[4]), 3);
        yield return new("clipped_ce", nameof(Backend.ClippedCrossEntropy), 2 * mk + m, 1e-6f, 1e-5f, r => [Gen.Simplex(r, M, K), Gen.OneHot(r, M, K), new float[M]], (a, v) => a.ClippedCrossEntropy(v[0], v[1], M, K, v[2]), 2);
        yield return new("clipped_ce_backward", nameof(Backend.ClippedCrossEntropyBackward), 4 * mk + m, 1e-6f, 1e-5f, r => [Gen.Simplex(r, M, K), Gen.OneHot(r, M, K), U(r, M), U(r, M * K)],
            (a, v) => a.ClippedCrossEntropyBackward(v[0], v[1], v[2], M, K, v[3]), 3);
        yield return new("l2_distance", nameof(Backend.L2Distance), 2 * md, 1e-3f, 1e-5f, r => [U(r, M * D), Gen.Bits(r, M * D), new float[M]], (a, v) => a.L2Distance(v[0], v[1], M, D, v[2]), 2);
        yield return new("l2_distance_backward", nameof(Backend.L2DistanceBackward), 3 * md, 1e-6f, 1e-5f, r => [U(r, M * D), Gen.Bits(r, M * D), U(r, M, 1, 10), U(r, M), new float[M * D]],
            (a, v) => a.L2DistanceBackward(v[0], v[1], v[2], v[3], M, D, false, v[4]), 4);
        // A mean over 10,000 rows: another order of addition moves it by ~1e-6 relative.
        yield return new("row_mean_accumulate", nameof(Backend.RowMeanAccumulate), m, 1e-5f, 1e-4f, r => [U(r, M), U(r, 1)], (a, v) => a.RowMeanAccumulate(v[0], M, 0.1f, v[1]), 1);
        yield return new("fill", nameof(Backend.Fill), P * F, 0, 0, r => [U(r, P)], (a, v) => a.Fill(P, 0f, v[0]), 0);
        yield return new("copy", nameof(Backend.Copy), 2 * md, 0, 0, r => [U(r, M * D), new float[M * D]], (a, v) => a.Copy(v[0], v[1]), 1);
        yield return new("sum_squares_partials", nameof(Backend.SumSquaresPartials), P * F, 1e-3f, 1e-4f, r => [U(r, P), new float[Backend.NormPartials]], (a, v) => a.SumSquaresPartials(v[0], P, v[1]), 1);
        yield return new("adam", nameof(Backend.Adam), 7L * P * F, 1e-6f, 1e-4f, r => [U(r, Backend.NormPartials, 0, 1e-3f), U(r, P), U(r, P), U(r, P, -0.01f, 0.01f), U(r, P, 0, 0.01f)],
            (a, v) => a.Adam(v[0], P, AdamStep.At(10, 0.01, 0.9, 0.999, 1e-4, 5, 1), v[1], v[2], v[3], v[4]), 1);
    }

    /// <summary>Runs a case on <paramref name="acc"/> and on the reference and measures the output (<see cref="Tolerance"/>); returns the backend's buffers.</summary>
    public static (Tolerance.Result Result, BackendBuffer[] Buffers) Check(ModelCase c, Backend acc, Backend reference)
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

    /// <summary>As <see cref="Check"/>, but throws unless the outputs agree.</summary>
    public static BackendBuffer[] Validate(ModelCase c, Backend acc, Backend reference)
    {
        var (r, bufs) = Check(c, acc, reference);
        if (!r.Pass) { foreach (var b in bufs) b.Dispose(); throw new InvalidOperationException($"{c.Name}: output differs from the CPU reference at {r.Problem}"); }
        return bufs;
    }
}

/// <summary>The catalogue's operations: the Backend's abstract *Core methods, one per public operation.</summary>
public static class Catalogue
{
    public static IReadOnlyList<string> Operations() => typeof(Backend)
        .GetMethods(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
        .Where(m => m.IsAbstract && m.Name.EndsWith("Core", StringComparison.Ordinal) && !m.Name.StartsWith("CopyFromHost", StringComparison.Ordinal) && !m.Name.StartsWith("CopyToHost", StringComparison.Ordinal))
        .Select(m => m.Name[..^4]).Order(StringComparer.Ordinal).ToArray();
}

using Untapped.Kernels;
using Untapped.Training.Data;
using Untapped.Training.Model;

namespace Untapped.Training.Evaluation;

/// <summary>The paper's measurements of one trained model (docs/model.md §6).</summary>
/// <remarks><see cref="EntropyHeldout"/>: mean over the held-out images of -sum_k q(k|x) ln q(k|x), in nats.</remarks>
public sealed record EvalResult(
    double CeHeldout,
    double AccHeldout,
    double AccLabelled,
    int DistinctDigits,
    int[] Permutation,
    double ReferenceClassifierAcc,
    float[] ZBar,
    float[] DigitMeans,
    double EntropyHeldout,
    BestPermutation Best
)
{
    /// <summary>The held-out part that metrics.jsonl logs by epoch.</summary>
    public HeldOutMetrics HeldOut => new(CeHeldout, AccHeldout, DistinctDigits, Permutation, EntropyHeldout, Best);
}

/// <summary>
/// The assignment-free held-out score (issue 44): the cross-entropy under the permutation of the five free dims that
/// minimises it, that permutation (dim to digit), and the accuracy under it. It does not depend on how the judge
/// assigns dims to digits, so it does not jump when that assignment changes; it is an optimistic bound (the
/// permutation is chosen with the held-out labels), reported beside the judged CE, not instead of it.
/// </summary>
public sealed record BestPermutation(double Ce, double Accuracy, int[] Permutation);

public static class Evaluator
{
    /// <summary>
    /// Label dimensions 0-4 carry the labelled digits; 5-9 are free and matched to digits by the judge.
    /// </summary>
    public const int FirstUnlabelledDim = 5;
    const int Dims = Mnist.Classes,
        Free = Dims - FirstUnlabelledDim;

    /// <summary>
    /// z-bar = mean over the labelled set of flow(mu(x, y)); the 10 one-hots decoded there (Bernoulli means).
    /// </summary>
    public static (float[] ZBar, float[] Means) Digits(Inference inf, ExperimentData data, ModelConfig cfg)
    {
        var z = inf.EncoderMeanInBox(
            Inference.Rows.Images(data.Pool, data.Labelled),
            Inference.Rows.OneHot(data.Pool, data.Labelled),
            data.Labelled.Length,
            cfg
        );
        double z0 = 0,
            z1 = 0;
        for (int i = 0; i < data.Labelled.Length; i++)
        {
            z0 += z[2 * i];
            z1 += z[2 * i + 1];
        }
        var zbar = new[] { (float)(z0 / data.Labelled.Length), (float)(z1 / data.Labelled.Length) };
        return (zbar, Decode(inf, [.. Enumerable.Range(0, Dims).Select(d => (d, zbar[0], zbar[1]))]));
    }

    /// <summary>Bernoulli means [n, 784] of one-hot labels decoded at the given z, one image per item.</summary>
    public static float[] Decode(Inference inf, (int Label, float Z0, float Z1)[] items)
    {
        int n = items.Length;
        var y = new float[n * Dims];
        var z = new float[n * Networks.ZDim];
        for (int i = 0; i < n; i++)
        {
            y[i * Dims + items[i].Label] = 1f;
            z[2 * i] = items[i].Z0;
            z[2 * i + 1] = items[i].Z1;
        }
        var logits = inf.DecoderLogits(y, z, n);
        for (int i = 0; i < logits.Length; i++)
            logits[i] = Fn.Sigmoid(logits[i]);
        return logits;
    }

    public static float[] Threshold(float[] means) => means.Select(m => m >= 0.5f ? 1f : 0f).ToArray();

    public static EvalResult Run(
        Backend acc,
        ExperimentData data,
        ModelConfig cfg,
        View parameters,
        ReferenceClassifier reference
    )
    {
        using var inf = new Inference(acc, parameters);
        var (zbar, means) = Digits(inf, data, cfg);
        var canon = Threshold(means);

        // Permutation of dims 5-9 by the reference classifier restricted (and renormalised) to classes 5-9.
        var probs = reference.Probabilities(acc, canon, Dims);
        const int F0 = FirstUnlabelledDim;
        var sub = new float[Free * Free];
        for (int d = 0; d < Free; d++)
        {
            float s = 0;
            for (int c = 0; c < Free; c++)
                s += probs[(F0 + d) * Dims + F0 + c];
            for (int c = 0; c < Free; c++)
                sub[d * Free + c] = probs[(F0 + d) * Dims + F0 + c] / Math.Max(s, 1e-30f);
        }
        var assign = Permutation.Assign(sub, Free, Free);
        var perm = Enumerable.Range(0, Dims).Select(d => d < F0 ? d : F0 + assign[d - F0]).ToArray();
        int distinct = Enumerable
            .Range(0, Dims)
            .Select(d => ReferenceClassifier.ArgMax(probs.AsSpan(d * Dims, Dims)))
            .Distinct()
            .Count();

        // Discriminative generalisation on the held-out digits, columns permuted: p(digit t) = p(dim showing t).
        var dimOf = new int[Dims];
        for (int d = 0; d < Dims; d++)
            dimOf[perm[d]] = d;
        var ph = inf.ClassifierProbs(Inference.Rows.Images(data.Pool, data.HeldOut), data.HeldOut.Length);
        double ce = 0,
            entropy = 0;
        int right = 0;
        var cost = new double[Dims * Dims]; // cost[t, d]: sum over held-out images of digit t of -log max(p_d, floor)
        for (int i = 0; i < data.HeldOut.Length; i++)
        {
            var p = ph.AsSpan(i * Dims, Dims);
            foreach (float pk in p)
            {
                if (pk > 0)
                    entropy -= pk * Math.Log(pk);
            }

            int t = data.Pool.Labels[data.HeldOut[i]];
            ce += -Math.Log(Math.Max(p[dimOf[t]], Kernels.KernelConstants.CeFloor));
            for (int d = 0; d < Dims; d++)
                cost[t * Dims + d] += -Math.Log(Math.Max(p[d], Kernels.KernelConstants.CeFloor));
            if (perm[ReferenceClassifier.ArgMax(p)] == t)
                right++;
        }
        var ll = inf.ClassifierLogits(Inference.Rows.Images(data.Pool, data.Labelled), data.Labelled.Length);
        int rightL = 0;
        for (int i = 0; i < data.Labelled.Length; i++)
        {
            if (ReferenceClassifier.ArgMax(ll.AsSpan(i * Dims, Dims)) == data.Pool.Labels[data.Labelled[i]])
                rightL++;
        }

        int nh = Math.Max(1, data.HeldOut.Length);
        var best = Permutation.Best(cost, Dims, F0);
        double ceBest = 0;
        for (int t = F0; t < Dims; t++)
            ceBest += cost[t * Dims + Array.IndexOf(best, t)];
        int rightBest = 0;
        for (int i = 0; i < data.HeldOut.Length; i++)
        {
            if (best[ReferenceClassifier.ArgMax(ph.AsSpan(i * Dims, Dims))] == data.Pool.Labels[data.HeldOut[i]])
                rightBest++;
        }

        return new EvalResult(
            ce / nh,
            (double)right / nh,
            (double)rightL / data.Labelled.Length,
            distinct,
            perm,
            reference.Accuracy,
            zbar,
            means,
            entropy / nh,
            new BestPermutation(ceBest / nh, (double)rightBest / nh, best)
        );
    }
}

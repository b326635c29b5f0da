using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Training.Data;
using G = Untapped.Graph.Graph;

namespace Untapped.Training.Evaluation;

/// <summary>
/// SPEC 6's judge: multinomial logistic regression (784 -> 10, softmax) trained on all binarised images with
/// full-batch Adam on the accelerator, by the same kernels and executor as the model.
/// </summary>
public sealed class ReferenceClassifier
{
    public const int Steps = 150;
    public const double LearningRate = 0.02;

    ReferenceClassifier(float[] weights, double accuracy) { Weights = weights; Accuracy = accuracy; }

    /// <summary>[784*10 weights, then 10 biases].</summary>
    public float[] Weights { get; }

    /// <summary>Its own accuracy on the data it was trained on (all images, digits 0-9).</summary>
    public double Accuracy { get; }

    public static ReferenceClassifier Train(Accelerator acc, Mnist data, ulong seed)
    {
        int n = data.Count;
        var g = new G();
        var w = g.Parameter("reference.w", Mnist.Pixels, 10);
        var b = g.Parameter("reference.b", 1, 10);
        var x = g.Input("x", n, Mnist.Pixels);
        var y = g.Input("y", n, 10);
        var p = g.GumbelSoftmax("p", g.Dense("reference", [x], w, b, Kernels.Activation.None), null, 1f);
        g.Loss("ce", 1f, new LossPart(g.ClippedCrossEntropy("ce", p, y), 1f));
        using var ex = new Executor(g, acc, seed);
        acc.CopyFromHost(g.Parameters.Initialise(seed, 1.0, new HashSet<string>()), ex.Parameters);
        var onehot = new float[n * 10];
        for (int i = 0; i < n; i++) onehot[i * 10 + data.Labels[i]] = 1f;
        ex.SetInput(x, data.Images);
        ex.SetInput(y, onehot);
        var adam = new AdamSettings(ClipNorm: 0f, ClipValue: 0f);
        for (int s = 0; s < Steps; s++) { ex.Forward(); ex.Backward(); ex.Update(adam, LearningRate); }
        var weights = acc.ToArray(ex.Parameters);
        var clf = new ReferenceClassifier(weights, 0);
        var probs = clf.Probabilities(data.Images, n);
        int right = 0;
        for (int i = 0; i < n; i++) if (ArgMax(probs.AsSpan(i * 10, 10)) == data.Labels[i]) right++;
        return new ReferenceClassifier(weights, (double)right / n);
    }

    /// <summary>[rows, 10] class probabilities (host computation; used on a handful of images).</summary>
    public float[] Probabilities(float[] x, int rows)
    {
        var p = new float[rows * 10];
        Parallel.For(0, rows, r =>
        {
            Span<double> z = stackalloc double[10];
            for (int c = 0; c < 10; c++) z[c] = Weights[Mnist.Pixels * 10 + c];
            for (int k = 0; k < Mnist.Pixels; k++)
            {
                float v = x[r * Mnist.Pixels + k];
                if (v != 0) for (int c = 0; c < 10; c++) z[c] += v * Weights[k * 10 + c];
            }
            double mx = double.MinValue, s = 0;
            for (int c = 0; c < 10; c++) mx = Math.Max(mx, z[c]);
            for (int c = 0; c < 10; c++) s += Math.Exp(z[c] - mx);
            for (int c = 0; c < 10; c++) p[r * 10 + c] = (float)(Math.Exp(z[c] - mx) / s);
        });
        return p;
    }

    public static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Training.Data;
using Untapped.Training.Storage;

namespace Untapped.Training.Evaluation;

/// <summary>
/// docs/model.md §6: judge: multinomial logistic regression (784 -> 10, softmax) trained on all binarised images with
/// full-batch Adam on the accelerator, by the same kernels and executor as the model. It depends on the data alone
/// (a fixed seed, not the run's), so it is trained once per data set and cached (<see cref="TrainOrLoad"/>).
/// </summary>
public sealed class ReferenceClassifier
{
    public const int Steps = 150;
    public const double LearningRate = 0.02;

    /// <summary>The seed of its initialisation: the same judge for every run on the same data.</summary>
    public const ulong Seed = 0x5EED;
    const int Classes = Mnist.Classes;

    // Format is part of the cache key: bump it whenever the judge's trained bits change, or a machine keeps judging
    // with the judge an earlier build cached while a fresh one trains another. 2: the project's own maths (issue 42)
    // changed its softmax; judges cached before it are no longer found.
    const string WeightName = "reference.w",
        BiasName = "reference.b",
        AccuracyKey = "accuracy",
        Format = "2";

    ReferenceClassifier(float[] weights, double accuracy)
    {
        Weights = weights;
        Accuracy = accuracy;
    }

    /// <summary>[784*10 weights, then 10 biases].</summary>
    public float[] Weights { get; }

    /// <summary>Its own accuracy on the data it was trained on (all images, digits 0-9).</summary>
    public double Accuracy { get; }

    // softmax(x W + b) over [rows, 784] images; with targets, also the clipped cross-entropy it is trained on.
    static (ComputeGraph G, Tensor X, Tensor? Y, Tensor P) Build(int rows, bool withLoss)
    {
        var g = new ComputeGraph();
        var w = g.Parameter(WeightName, Mnist.Pixels, Classes);
        var b = g.Parameter(BiasName, 1, Classes);
        var x = g.Input("x", rows, Mnist.Pixels);
        var p = g.GumbelSoftmax("p", g.Dense("reference", [x], w, b, Activation.None), null, 1f);
        if (!withLoss)
            return (g, x, null, p);
        var y = g.Input("y", rows, Classes);
        g.Loss("ce", 1f, new LossPart(g.ClippedCrossEntropy("ce", p, y), 1f));
        return (g, x, y, p);
    }

    public static ReferenceClassifier Train(Backend acc, Mnist data)
    {
        int n = data.Count;
        var (g, x, y, p) = Build(n, withLoss: true);
        using var ex = new Executor(g, acc, Seed);
        acc.CopyFromHost(g.Parameters.Initialise(Seed, 1.0, new HashSet<string>()), ex.Parameters);
        var onehot = new float[n * Classes];
        for (int i = 0; i < n; i++)
            onehot[i * Classes + data.Labels[i]] = 1f;
        // The images go in a slab at a time, as floats: the pool keeps them as bytes.
        ex.SetInput(x, (first, count, d) => data.CopyImages(first, count, d));
        ex.SetInput(y!, onehot);
        var adam = new AdamSettings(ClipNorm: 0f, ClipValue: 0f);
        for (int s = 0; s < Steps; s++)
        {
            ex.Forward();
            ex.Backward();
            ex.Update(adam, LearningRate);
        }
        // Its accuracy from one more forward pass of this graph at the trained weights (the dense and softmax ops that
        // Probabilities runs, row by row the same bits), not from a second graph and a float copy of every image.
        ex.Forward();
        var probs = acc.ToArray(ex.Value(p));
        int right = 0;
        for (int i = 0; i < n; i++)
        {
            if (ArgMax(probs.AsSpan(i * Classes, Classes)) == data.Labels[i])
                right++;
        }

        return new ReferenceClassifier(acc.ToArray(ex.Parameters), (double)right / n);
    }

    /// <summary>
    /// The classifier for <paramref name="data"/> from <paramref name="cacheDir"/> when one was trained before (the
    /// file is named by a SHA-256 of the images, labels and training settings), else trained now and stored there.
    /// </summary>
    public static ReferenceClassifier TrainOrLoad(Backend acc, Mnist data, string cacheDir, Action? onTrain = null)
    {
        var path = Path.Combine(cacheDir, $"reference-{Key(data)}.safetensors");
        if (File.Exists(path))
        {
            try
            {
                var (t, meta) = Safetensors.Read(path);
                var weights = t[WeightName].Data.Concat(t[BiasName].Data).ToArray();
                if (
                    weights.Length == Mnist.Pixels * Classes + Classes
                    && double.TryParse(
                        meta.GetValueOrDefault(AccuracyKey),
                        NumberStyles.Float,
                        CultureInfo.InvariantCulture,
                        out var a
                    )
                )
                {
                    return new ReferenceClassifier(weights, a);
                }
            }
            catch (Exception e) when (e is CheckpointException or KeyNotFoundException)
            { /* unreadable: train it again and replace the file */
            }
        }
        onTrain?.Invoke();
        var clf = Train(acc, data);
        var bytes = Safetensors.Encode(
            [
                new(WeightName, [Mnist.Pixels, Classes], clf.Weights[..(Mnist.Pixels * Classes)]),
                new(BiasName, [Classes], clf.Weights[(Mnist.Pixels * Classes)..]),
            ],
            new Dictionary<string, string> { [AccuracyKey] = clf.Accuracy.ToString("R", CultureInfo.InvariantCulture) }
        );
        try
        {
            AtomicFile.Write(path, bytes);
        }
        catch (OutputWriteException)
        { /* a cache that cannot be written only costs the next run the training again */
        }
        return clf;
    }

    /// <summary>$UNTAPPED_CACHE, else $XDG_CACHE_HOME/untapped, else ~/.cache/untapped.</summary>
    public static string DefaultCacheDir() =>
        Environment.GetEnvironmentVariable("UNTAPPED_CACHE") is { Length: > 0 } c
            ? c
            : Path.Combine(
                Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x
                    ? x
                    : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
                "untapped"
            );

    static string Key(Mnist data)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        // The images' bytes as floats (0f or 1f, as they were held before the pool kept bytes): the cache key is unchanged.
        var image = new float[Mnist.Pixels];
        for (int i = 0; i < data.Count; i++)
        {
            data.CopyImage(i, image);
            h.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(image.AsSpan()));
        }
        h.AppendData(data.Labels);
        h.AppendData(
            System.Text.Encoding.UTF8.GetBytes(
                string.Create(CultureInfo.InvariantCulture, $"{Format}|{Steps}|{LearningRate:R}|{Seed}")
            )
        );
        return Convert.ToHexStringLower(h.GetHashAndReset())[..32];
    }

    /// <summary>
    /// [rows, 10] class probabilities of [rows, 784] images: the same dense and softmax ops it was trained with.
    /// </summary>
    public float[] Probabilities(Backend acc, float[] x, int rows)
    {
        var (g, xin, _, p) = Build(rows, withLoss: false);
        using var ex = new Executor(g, acc, Seed);
        acc.CopyFromHost(Weights, ex.Parameters);
        ex.SetInput(xin, x.AsSpan(0, rows * Mnist.Pixels));
        ex.Forward();
        return acc.ToArray(ex.Value(p));
    }

    public static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++)
        {
            if (v[i] > v[best])
                best = i;
        }

        return best;
    }
}

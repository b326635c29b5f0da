using Untapped.Kernels;

namespace Untapped.Training.Data;

/// <summary>
/// The experiment's streams (docs/model.md §1): labelled = digits 0-4 with one-hot labels; held-out = digits 5-9;
/// unlabelled = <see cref="UnlabelledCount"/> images drawn with replacement from the whole pool;
/// unfeatured = the 10 softened corners (0.95 on the class, 0.05/9 elsewhere).
/// </summary>
public sealed class ExperimentData
{
    public const int UnlabelledCount = 20_000;
    public const float CornerHigh = 0.95f,
        CornerLow = 0.05f / 9;
    const uint UnlabelledStream = Graph.RandomStreams.Unlabelled;

    public ExperimentData(Mnist pool, ulong seed, int unlabelledCount = UnlabelledCount)
    {
        Pool = pool;
        Labelled = Enumerable.Range(0, pool.Count).Where(i => pool.Labels[i] <= 4).ToArray();
        HeldOut = Enumerable.Range(0, pool.Count).Where(i => pool.Labels[i] >= 5).ToArray();
        if (Labelled.Length == 0)
            throw new DataFormatException("the data holds no image of digits 0-4, so there is no labelled set");
        var u = new float[unlabelledCount];
        Philox.Uniform(seed, UnlabelledStream, 0, 0, u);
        Unlabelled = u.Select(v => Math.Min(pool.Count - 1, (int)(v * pool.Count))).ToArray();
    }

    public Mnist Pool { get; }

    /// <summary>Pool indices of each stream.</summary>
    public int[] Labelled { get; }
    public int[] HeldOut { get; }
    public int[] Unlabelled { get; }

    /// <summary>
    /// The per-pixel mean of the images a run trains on (each pool image of the labelled set or the unlabelled draw
    /// counted once), on the binarised data, by Laplace's rule: mu_d = (ones_d + 1) / (N + 2). The smoothing keeps every
    /// mu strictly inside (0, 1) (a pixel never on in N images gets 1/(N+2)), so log q(x) is finite for any image:
    /// what <c>--reverse-qx marginal</c> takes as q(x) (docs/model.md §4).
    /// </summary>
    public double[] PixelMarginal()
    {
        var ones = new long[Mnist.Pixels];
        var seen = new HashSet<int>(Labelled);
        seen.UnionWith(Unlabelled);
        foreach (int i in seen)
        {
            var img = Pool.Image(i);
            for (int d = 0; d < Mnist.Pixels; d++)
                ones[d] += img[d];
        }
        return [.. ones.Select(o => (o + 1.0) / (seen.Count + 2.0))];
    }

    public static float[] Corner(int c)
    {
        var y = new float[Mnist.Classes];
        Array.Fill(y, CornerLow);
        y[c] = CornerHigh;
        return y;
    }
}

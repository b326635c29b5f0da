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

    public static float[] Corner(int c)
    {
        var y = new float[Mnist.Classes];
        Array.Fill(y, CornerLow);
        y[c] = CornerHigh;
        return y;
    }
}

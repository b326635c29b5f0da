namespace Untapped.Kernels;

// The Losses family's validated entries (the losses: clipped cross-entropy and the L2 distance, with backwards): each
// public method checks its views once, then calls its backend's Core (the managed CPU's in Cpu*.cs, the ILGPU launch in
// Ilgpu*.cs of this folder).
public abstract partial class Backend
{
    /// <summary>loss[r] = -log max(&lt;target[r], p[r]&gt;, 1e-6) with one-hot targets.</summary>
    public void ClippedCrossEntropy(
        View p, // [m,k]
        View target, // [m,k]
        int m,
        int k,
        View loss // [m]
    )
    {
        Classes(k);
        Sizes(m, k).All(p).All(target).Rows(loss);
        ClippedCrossEntropyCore(new(p, target, m, k, loss));
    }

    protected abstract void ClippedCrossEntropyCore(in ClippedCrossEntropyArgs args);

    /// <summary>dp += -g target / p_true where p_true &gt; 1e-6.</summary>
    public void ClippedCrossEntropyBackward(
        View p, // [m,k]
        View target, // [m,k]
        View g, // [m]
        int m,
        int k,
        View dp // [m,k]
    )
    {
        Classes(k);
        Sizes(m, k).All(p).All(target).Rows(g).All(dp);
        ClippedCrossEntropyBackwardCore(new(p, target, g, m, k, dp));
    }

    protected abstract void ClippedCrossEntropyBackwardCore(in ClippedCrossEntropyBackwardArgs args);

    /// <summary>dist[r] = ||a[r] - b[r]||_2.</summary>
    public void L2Distance(
        View a, // [m,d]
        View b, // [m,d]
        int m,
        int d,
        View dist // [m]
    )
    {
        Sizes(m, d).All(a).All(b).Rows(dist);
        L2DistanceCore(new(a, b, m, d, dist));
    }

    protected abstract void L2DistanceCore(in L2DistanceArgs args);

    /// <summary>
    /// da (+)= g (a - b) / dist (zero where dist = 0): added when <paramref name="accumulate"/>, else written without
    /// reading the old contents.
    /// </summary>
    public void L2DistanceBackward(
        View a, // [m,d]
        View b, // [m,d]
        View dist, // [m]
        View g, // [m]
        int m,
        int d,
        bool accumulate,
        View da // [m,d]
    )
    {
        Sizes(m, d).All(a).All(b).Rows(dist).Rows(g).All(da);
        L2DistanceBackwardCore(new(a, b, dist, g, m, d, accumulate, da));
    }

    protected abstract void L2DistanceBackwardCore(in L2DistanceBackwardArgs args);

    // What each Core receives: the public method's arguments, validated (one record per operation).
    // csharpier-ignore-start
    protected readonly record struct ClippedCrossEntropyArgs(View P, View Target, int M, int K, View Loss);
    protected readonly record struct ClippedCrossEntropyBackwardArgs(View P, View Target, View G, int M, int K, View Dp);
    protected readonly record struct L2DistanceArgs(View A, View B, int M, int D, View Dist);
    protected readonly record struct L2DistanceBackwardArgs(View A, View B, View Dist, View G, int M, int D, bool Accumulate, View Da);
    // csharpier-ignore-end
}

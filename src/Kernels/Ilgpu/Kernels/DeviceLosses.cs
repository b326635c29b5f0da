using ILGPU;
using static Untapped.Kernels.KernelConstants;

namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>Losses, distances and small reductions; twin of Cpu/CpuLosses.cs.</summary>
static class DeviceLosses
{
    /// <summary>
    /// loss[r] = -log max(&lt;target[r], p[r]&gt;, CeFloor); target is one-hot, so the product is p_true. One thread
    /// per row.
    /// </summary>
    public static void ClippedCrossEntropy(
        Index1D r,
        ArrayView<float> p, // [m,k]
        ArrayView<float> target, // [m,k]
        int k,
        ArrayView<float> loss // [m]
    ) => loss[r] = -MathF.Log(MathF.Max(TrueProbability(p, target, r * k, k), CeFloor));

    /// <summary>
    /// dp += g (-target / p_true) where p_true &gt; CeFloor, else nothing (the clip has no gradient).
    /// </summary>
    public static void ClippedCrossEntropyBackward(
        Index1D r,
        ArrayView<float> p, // [m,k]
        ArrayView<float> target, // [m,k]
        ArrayView<float> g, // [m]
        int k,
        ArrayView<float> dp // [m,k]
    )
    {
        float pt = TrueProbability(p, target, r * k, k);
        if (pt <= CeFloor)
            return;
        float gr = g[r];
        for (int j = 0; j < k; j++)
            dp[r * k + j] += -gr * target[r * k + j] / pt;
    }

    static float TrueProbability(ArrayView<float> p, ArrayView<float> target, int o, int k)
    {
        float pt = 0f;
        for (int j = 0; j < k; j++)
            pt += target[o + j] * p[o + j];
        return pt;
    }

    /// <summary>dist[r] = ||a[r] - b[r]||_2. One group of RowGroup threads per row (grid: m).</summary>
    public static void L2Distance(
        ArrayView<float> a, // [m,d]
        ArrayView<float> b, // [m,d]
        int d,
        ArrayView<float> dist // [m]
    )
    {
        var shared = SharedMemory.Allocate<float>(LaunchShape.RowGroup);
        int l = Group.IdxX,
            r = Grid.IdxX;
        float s = 0f;
        for (int j = l; j < d; j += LaunchShape.RowGroup)
        {
            float e = a[r * d + j] - b[r * d + j];
            s += e * e;
        }
        float t = GroupReduce.Sum(shared, s, l, LaunchShape.RowGroup);
        if (l == 0)
            dist[r] = MathF.Sqrt(t);
    }

    /// <summary>
    /// da (+)= g[r] (a - b) / dist[r]: added (where dist &gt; 0) when accumulating, else written, with zeros where the
    /// distance is 0, without reading the old contents. One thread per element.
    /// </summary>
    public static void L2DistanceBackward(
        Index1D i,
        ArrayView<float> a, // [m,d]
        ArrayView<float> b, // [m,d]
        ArrayView<float> dist, // [m]
        ArrayView<float> g, // [m]
        int d,
        Flag accumulate,
        ArrayView<float> da // [m,d]
    )
    {
        float n = dist[i / d];
        float v = n > 0f ? g[i / d] * (a[i] - b[i]) / n : 0f;
        if (!accumulate)
            da[i] = v;
        else if (n > 0f)
            da[i] += v;
    }

    /// <summary>
    /// output[0] += coef mean(v[0..m)). One group of LaunchShape.GroupSize threads, summed in a fixed order.
    /// </summary>
    public static void RowMeanAccumulate(
        ArrayView<float> v, // [m]
        int m,
        float coef,
        ArrayView<float> output // [1]
    )
    {
        var shared = SharedMemory.Allocate<float>(LaunchShape.GroupSize);
        int l = Group.IdxX;
        float s = 0f;
        for (int i = l; i < m; i += LaunchShape.GroupSize)
            s += v[i];
        float t = GroupReduce.Sum(shared, s, l, LaunchShape.GroupSize);
        if (l == 0)
            output[0] += coef * (t / m);
    }

    /// <summary>output[i] = value, grid-stride (it runs over whole gradient buffers).</summary>
    public static void Fill(
        int n,
        float value,
        ArrayView<float> output // [n]
    )
    {
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.Dimension.X * Group.Dimension.X)
            output[i] = value;
    }
}

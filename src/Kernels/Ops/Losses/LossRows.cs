namespace Untapped.Kernels;

/// <summary>
/// The clipped cross-entropy's rows, written once: the device kernels (DeviceLosses.cs) run a row per thread, the
/// managed CPU (CpuLosses.cs) the rows of a chunk, with the same operations in the same order.
/// </summary>
static class LossRows
{
    /// <summary>
    /// loss[r] = -log max(&lt;target[r], p[r]&gt;, CeFloor); target is one-hot, so the product is p_true.
    /// </summary>
    public static void CrossEntropy<T>(int r, T p, T target, int k, T loss)
        where T : struct, IFloats => loss[r] = -Fn.Log(MathF.Max(TrueProbability(p, target, r * k, k), CeFloor));

    /// <summary>
    /// dp += g (-target / p_true) where p_true &gt; CeFloor, else nothing (the clip has no gradient).
    /// </summary>
    public static void CrossEntropyBackward<T>(int r, T p, T target, T g, int k, T dp)
        where T : struct, IFloats
    {
        float pt = TrueProbability(p, target, r * k, k);
        if (pt <= CeFloor)
            return;
        float gr = g[r];
        for (int j = 0; j < k; j++)
            dp[r * k + j] += -gr * target[r * k + j] / pt;
    }

    static float TrueProbability<T>(T p, T target, int o, int k)
        where T : struct, IFloats
    {
        float pt = 0f;
        for (int j = 0; j < k; j++)
            pt += target[o + j] * p[o + j];
        return pt;
    }
}

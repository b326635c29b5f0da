namespace Untapped.Kernels;

/// <summary>
/// The arena family's per-chunk function, written once: the device kernel (DeviceArena.cs) runs a chunk per thread,
/// the managed CPU (CpuArena.cs) the chunks in parallel, with the same additions in the same order.
/// </summary>
static class ArenaRows
{
    /// <summary>
    /// partials[g] = sum of x[i]^2 over chunk g of <see cref="Backend.NormPartials"/> equal chunks of x, added in index
    /// order.
    /// </summary>
    public static void SumSquaresChunk<T>(int g, T x, int n, T partials)
        where T : struct, IFloats
    {
        int chunk = (n + Backend.NormPartials - 1) / Backend.NormPartials;
        int lo = Math.Min(n, g * chunk),
            hi = Math.Min(n, lo + chunk);
        float s = 0f;
        for (int i = lo; i < hi; i++)
            s += x[i] * x[i];
        partials[g] = s;
    }
}

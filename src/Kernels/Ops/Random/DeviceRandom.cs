namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// Philox fills; twin of CpuRandom.cs (this folder). Both call the same <see cref="Philox"/> block function, so every
/// backend draws the same bits: element i is word i % 4 of block i / 4 (counter {i / 4, 0, step, stream}, key = seed).
/// One thread per block of four.
/// </summary>
static class DeviceRandom
{
    /// <summary>output[i] ~ U(0,1) = ((word &gt;&gt; 8) + 0.5) 2^-24.</summary>
    public static void PhiloxUniform(
        Index1D block,
        int n,
        PhiloxStream key,
        ArrayView<float> output // [n]
    )
    {
        var (w0, w1, w2, w3) = Philox.StreamBlock(key.Seed, key.Stream, key.Step, (uint)block.X);
        int e = 4 * block.X;
        output[e] = Philox.ToUnit(w0);
        if (e + 1 < n)
            output[e + 1] = Philox.ToUnit(w1);
        if (e + 2 < n)
            output[e + 2] = Philox.ToUnit(w2);
        if (e + 3 < n)
            output[e + 3] = Philox.ToUnit(w3);
    }

    /// <summary>
    /// output[i] ~ N(0,1) by Box-Muller: words (0,1) give elements 0 (cos) and 1 (sin), words (2,3) elements 2 and 3.
    /// </summary>
    public static void PhiloxNormal(
        Index1D block,
        int n,
        PhiloxStream key,
        ArrayView<float> output // [n]
    )
    {
        var (w0, w1, w2, w3) = Philox.StreamBlock(key.Seed, key.Stream, key.Step, (uint)block.X);
        int e = 4 * block.X;
        BoxMuller(w0, w1, e, n, output);
        BoxMuller(w2, w3, e + 2, n, output);
    }

    static void BoxMuller(uint radius, uint angle, int e, int n, ArrayView<float> output)
    {
        var (first, second) = Philox.BoxMuller(radius, angle);
        if (e < n)
            output[e] = first;
        if (e + 1 < n)
            output[e + 1] = second;
    }
}

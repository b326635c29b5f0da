namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// Philox fills; twin of CpuRandom.cs (this folder). Both call the same <see cref="Philox"/> block function, so every
/// backend draws the same bits: draw j is word j % 4 of block j / 4 (counter {j / 4, 0, step, stream}, key = seed), and
/// output[i] is draw first + i. One thread per block of four that the range [first, first + n) touches.
/// </summary>
static class DeviceRandom
{
    /// <summary>The Philox blocks that draws [first, first + n) touch (n &gt; 0).</summary>
    public static int Blocks(int first, int n) => (int)(((long)first + n + 3) / 4 - first / 4);

    /// <summary>output[i] ~ U(0,1) = ((word &gt;&gt; 8) + 0.5) 2^-24.</summary>
    public static void PhiloxUniform(
        Index1D block,
        int first,
        int n,
        PhiloxStream key,
        ArrayView<float> output // [n]
    )
    {
        int b = first / 4 + block.X,
            e = 4 * b;
        var (w0, w1, w2, w3) = Philox.StreamBlock(key.Seed, key.Stream, key.Step, (uint)b);
        Put(e, first, n, Philox.ToUnit(w0), output);
        Put(e + 1, first, n, Philox.ToUnit(w1), output);
        Put(e + 2, first, n, Philox.ToUnit(w2), output);
        Put(e + 3, first, n, Philox.ToUnit(w3), output);
    }

    // Draw e into output[e - first] when it is one of the fill's.
    static void Put(int e, int first, int n, float value, ArrayView<float> output)
    {
        if (e >= first && e - first < n)
            output[e - first] = value;
    }

    /// <summary>
    /// output[i] ~ N(0,1) by Box-Muller: words (0,1) give elements 0 (cos) and 1 (sin), words (2,3) elements 2 and 3.
    /// </summary>
    public static void PhiloxNormal(
        Index1D block,
        int first,
        int n,
        PhiloxStream key,
        ArrayView<float> output // [n]
    )
    {
        int b = first / 4 + block.X,
            e = 4 * b;
        var (w0, w1, w2, w3) = Philox.StreamBlock(key.Seed, key.Stream, key.Step, (uint)b);
        BoxMuller(w0, w1, e, first, n, output);
        BoxMuller(w2, w3, e + 2, first, n, output);
    }

    static void BoxMuller(uint radius, uint angle, int e, int first, int n, ArrayView<float> output)
    {
        var (cos, sin) = Philox.BoxMuller(radius, angle);
        Put(e, first, n, cos, output);
        Put(e + 1, first, n, sin, output);
    }
}

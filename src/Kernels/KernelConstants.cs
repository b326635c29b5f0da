namespace Untapped.Kernels;

/// <summary>
/// Numerical constants of the kernel maths (docs/model.md §3), defined once: the ILGPU device kernels and the CPU twins
/// both read them from here.
/// </summary>
public static class KernelConstants
{
    /// <summary>The original Bernoulli form clips the mean m to [BernClip, 1 - BernClip].</summary>
    public const float BernClip = 1e-5f;

    /// <summary>
    /// ln(99999): sigmoid(+-BernLogitClip) = 1 - 1e-5 and 1e-5, so clipping m equals clamping the logits here.
    /// </summary>
    public const float BernLogitClip = 11.512915464920228f;

    /// <summary>The Gaussian density uses s = sigma + SigmaEps.</summary>
    public const float SigmaEps = 1e-5f;

    /// <summary>log(2 pi) / 2.</summary>
    public const float LogTwoPiHalf = 0.91893853320467274f;

    /// <summary>2 pi, the Box-Muller angle scale.</summary>
    public const float TwoPi = 6.2831853071795865f;

    /// <summary>
    /// The logistic flow's epsilon: the original log-det is log(FlowEps + prod), and its inverse clips to [FlowEps, 1 -
    /// FlowEps].
    /// </summary>
    public const float FlowEps = 1e-5f;

    /// <summary>The Gumbel noise is -log(-log(u + GumbelShift) + GumbelShift) (the authors' shift).</summary>
    public const float GumbelShift = 1e-4f;

    /// <summary>
    /// -log(u + 1e-4) + 1e-4 &gt;= 5e-9 exactly, but u + 1e-4 rounds in float for u near 1 and the difference can reach
    /// zero or below (a NaN sample about once per 10^7 draws): it is floored here.
    /// </summary>
    public const float GumbelFloor = 1e-20f;

    /// <summary>Floor of y before log y in the Concrete density.</summary>
    public const float LogFloor = 1e-30f;

    /// <summary>The clipped cross-entropy is -log max(p_true, CeFloor); below the floor it has no gradient.</summary>
    public const float CeFloor = 1e-6f;
}

/// <summary>
/// Launch shapes of the device kernels, defined once. The CPU twins use <see cref="GroupSize"/> too: the global-norm
/// reduction's partial count equals it on every backend.
/// </summary>
public static class LaunchShape
{
    /// <summary>
    /// Threads per group of the elementwise, adam and whole-buffer reduction kernels (a power of two).
    /// </summary>
    public const int GroupSize = 256;

    /// <summary>
    /// Threads per group of the one-group-per-row reductions: the eight lanes of the CPU's RowSum order, thread q summing
    /// elements q, q + 8, ... of the row in order, then the lanes added in RowSum's tree.
    /// </summary>
    public const int RowGroup = Cpu.RowSum.Lanes8;

    /// <summary>GEMM: an output tile of GemmTile x GemmTile per group of GemmThreads x GemmThreads threads.</summary>
    public const int GemmTile = 64;

    /// <summary>GEMM: threads per group side; each thread holds (GemmTile / GemmThreads)^2 accumulators.</summary>
    public const int GemmThreads = 16;

    /// <summary>
    /// GEMM: depth of one K slab staged through shared memory (2 x 8 KiB); deep slabs halve the barriers per K.
    /// </summary>
    public const int GemmSlab = 32;

    /// <summary>
    /// GEMM: the summation order of every C element on every backend: K in blocks of GemmKBlock, each block one FMA
    /// chain from zero in k order, the blocks added in order (the CPU GEMM's KC; the device's slabs divide it).
    /// </summary>
    public const int GemmKBlock = 256;

    /// <summary>
    /// Dense backward: a group covers BiasCols columns with BiasRows row lanes (BiasRows a power of two).
    /// </summary>
    public const int BiasCols = 32,
        BiasRows = 8;

    /// <summary>
    /// Dense backward: the bias gradient's summation order on every backend: rows in blocks of BiasBlockRows, each
    /// block summed in row order from zero, the block sums added in block order (on the CPU a block's dZ and its
    /// partial row stay in L1/L2; the deep GEMM sums its packed K blocks of dZ, which it divides).
    /// </summary>
    public const int BiasBlockRows = 128;
}

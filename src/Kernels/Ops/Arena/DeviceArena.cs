namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// The batch mean, fill, the global gradient norm and clip + Adam over the flat arenas; twin of CpuArena.cs (this
/// folder).
/// </summary>
static class DeviceArena
{
    /// <summary>
    /// <see cref="ArenaRows.SumSquaresChunk"/>: one group of LaunchShape.GroupSize = NormPartials threads, thread g
    /// summing chunk g. The CPU's order, and no barrier (each costs a synchronisation of every simulated thread on
    /// ILGPU's CPU accelerator); the buffer is read once, so the uncoalesced reads cost little beside a step's GEMMs.
    /// </summary>
    public static void SumSquaresPartials(
        ArrayView<float> x, // [n]
        int n,
        ArrayView<float> partials // [NormPartials]
    ) => ArenaRows.SumSquaresChunk(Group.IdxX, new DeviceFloats(x), n, new DeviceFloats(partials));

    /// <summary>
    /// norm[0] = sqrt(sum of the NormPartials partials), added in index order as the CPU does (256 additions: one
    /// thread). A launch of its own, so that the update below needs no barrier.
    /// </summary>
    public static void GlobalNorm(
        ArrayView<float> partials, // [NormPartials]
        ArrayView<float> norm // [1]
    )
    {
        float sq = 0f;
        for (int i = 0; i < Backend.NormPartials; i++)
            sq += partials[i];
        norm[0] = MathF.Sqrt(sq);
    }

    /// <summary>
    /// Clip + Adam (<see cref="AdamStep.Apply"/>) over the flat parameter buffer, grid-stride (each thread steps by the
    /// grid's size).
    /// </summary>
    public static void Adam(
        ArrayView<float> norm, // [1]
        int n,
        AdamStep s,
        ArrayView<float> parameters, // [n]
        ArrayView<float> grads, // [n]
        ArrayView<float> m, // [n]
        ArrayView<float> v // [n]
    )
    {
        float nrm = norm[0];
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.Dimension.X * Group.Dimension.X)
            s.Apply(grads[i], nrm, ref parameters[i], ref m[i], ref v[i]);
    }

    /// <summary>
    /// output[0] += coef mean(v[0..m)), summed in the CPU's RowSum order: one group of RowGroup threads.
    /// </summary>
    public static void RowMeanAccumulate(
        ArrayView<float> v, // [m]
        int m,
        float coef,
        ArrayView<float> output // [1]
    )
    {
        var shared = SharedMemory.Allocate<float>(RowGroup);
        int l = Group.IdxX;
        float s = 0f;
        for (int i = l; i < m; i += RowGroup)
            s += v[i];
        float t = GroupReduce.RowSum8(shared, s, l);
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

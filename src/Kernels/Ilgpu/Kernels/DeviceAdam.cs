using ILGPU;

namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>The global gradient norm and clip + Adam over the flat parameter buffer; twin of Cpu/CpuAdam.cs.</summary>
static class DeviceAdam
{
    /// <summary>
    /// partials[g] = sum of x[i]^2 over chunk g of NormPartials equal chunks of x, added in index order: one group of
    /// LaunchShape.GroupSize = NormPartials threads, thread g summing chunk g. The same order as the CPU twin, and no
    /// barrier (each costs a synchronisation of every simulated thread on ILGPU's CPU accelerator); the buffer is read
    /// once, so the uncoalesced reads cost little beside a training step's GEMMs.
    /// </summary>
    public static void SumSquaresPartials(
        ArrayView<float> x, // [n]
        int n,
        ArrayView<float> partials // [NormPartials]
    )
    {
        int g = Group.IdxX;
        int chunk = (n + Backend.NormPartials - 1) / Backend.NormPartials;
        int lo = Math.Min(n, g * chunk),
            hi = Math.Min(n, lo + chunk);
        float s = 0f;
        for (int i = lo; i < hi; i++)
            s += x[i] * x[i];
        partials[g] = s;
    }

    /// <summary>
    /// norm[0] = sqrt(sum of the NormPartials partials), in the fixed order of <see cref="GroupReduce.Sum"/>. One group
    /// of LaunchShape.GroupSize = NormPartials threads. A launch of its own, so that the update below needs no barrier:
    /// on ILGPU's CPU accelerator each barrier costs a synchronisation of every simulated thread.
    /// </summary>
    public static void GlobalNorm(
        ArrayView<float> partials, // [NormPartials]
        ArrayView<float> norm // [1]
    )
    {
        var shared = SharedMemory.Allocate<float>(LaunchShape.GroupSize);
        int l = Group.IdxX;
        float t = GroupReduce.Sum(shared, partials[l], l, LaunchShape.GroupSize);
        if (l == 0)
            norm[0] = MathF.Sqrt(t);
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
}

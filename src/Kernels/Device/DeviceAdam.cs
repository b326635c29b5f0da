using ILGPU;

namespace Untapped.Kernels.Device;

/// <summary>The global gradient norm and clip + Adam over the flat parameter buffer; twin of Cpu/CpuAdam.cs.</summary>
static class DeviceAdam
{
    /// <summary>
    /// partials[g] = sum of x[i]^2 over chunk g of NormPartials equal chunks of x, added in index order: one group of
    /// LaunchShape.GroupSize = NormPartials threads, thread g summing chunk g. The same order as the CPU twin, and no
    /// barrier (each costs a synchronisation of every simulated thread on ILGPU's CPU accelerator); the buffer is read
    /// once, so the uncoalesced reads cost little beside a training step's GEMMs.
    /// </summary>
    public static void SumSquaresPartials(ArrayView<float> x /* [n] */, int n, ArrayView<float> partials /* [NormPartials] */)
    {
        int g = Group.IdxX;
        int chunk = (n + Accelerator.NormPartials - 1) / Accelerator.NormPartials;
        int lo = Math.Min(n, g * chunk), hi = Math.Min(n, lo + chunk);
        float s = 0f;
        for (int i = lo; i < hi; i++) s += x[i] * x[i];
        partials[g] = s;
    }

    /// <summary>
    /// norm[0] = sqrt(sum of the NormPartials partials), in the fixed order of <see cref="GroupReduce.Sum"/>. One group
    /// of LaunchShape.GroupSize = NormPartials threads. A launch of its own, so that the update below needs no barrier:
    /// on ILGPU's CPU accelerator each barrier costs a synchronisation of every simulated thread.
    /// </summary>
    public static void GlobalNorm(ArrayView<float> partials /* [NormPartials] */, ArrayView<float> norm /* [1] */)
    {
        var shared = SharedMemory.Allocate<float>(LaunchShape.GroupSize);
        int l = Group.IdxX;
        float t = GroupReduce.Sum(shared, partials[l], l, LaunchShape.GroupSize);
        if (l == 0) norm[0] = MathF.Sqrt(t);
    }

    /// <summary>
    /// Clip + Adam over the flat parameter buffer, grid-stride (each thread steps by the grid's size):
    /// g *= min(1, clipNorm / norm) if clipNorm &gt; 0; g = clamp(g, -clipValue, clipValue) if clipValue &gt; 0;
    /// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= stepSize m / (sqrt(v) + eps).
    /// </summary>
    public static void Adam(ArrayView<float> norm /* [1] */, int n, AdamStep s,
        ArrayView<float> parameters /* [n] */, ArrayView<float> grads /* [n] */, ArrayView<float> m /* [n] */, ArrayView<float> v /* [n] */)
    {
        float nrm = norm[0];
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.Dimension.X * Group.Dimension.X)
            Update(i, nrm, s, parameters, grads, m, v);
    }

    static void Update(int i, float nrm, AdamStep s, ArrayView<float> parameters, ArrayView<float> grads, ArrayView<float> m, ArrayView<float> v)
    {
        float g = grads[i];
        if (s.ClipNorm > 0f && nrm > s.ClipNorm) g *= s.ClipNorm / nrm;
        if (s.ClipValue > 0f) g = Fn.Clamp(g, -s.ClipValue, s.ClipValue);
        float mi = s.Beta1 * m[i] + (1f - s.Beta1) * g;
        float vi = s.Beta2 * v[i] + (1f - s.Beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        parameters[i] -= s.StepSize * mi / (MathF.Sqrt(vi) + s.Eps);
    }
}

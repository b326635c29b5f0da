namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// Losses and distances: the cross-entropy runs the rows the managed CPU runs too (<see cref="LossRows"/>, this
/// folder); the L2 distance reduces each row over a group of threads, the CPU over vector lanes (CpuLosses.cs).
/// </summary>
static class DeviceLosses
{
    /// <summary><see cref="LossRows.CrossEntropy"/>, one thread per row.</summary>
    public static void ClippedCrossEntropy(
        Index1D r,
        ArrayView<float> p, // [m,k]
        ArrayView<float> target, // [m,k]
        int k,
        ArrayView<float> loss // [m]
    ) => LossRows.CrossEntropy(r, new DeviceFloats(p), new DeviceFloats(target), k, new DeviceFloats(loss));

    /// <summary><see cref="LossRows.CrossEntropyBackward"/>, one thread per row.</summary>
    public static void ClippedCrossEntropyBackward(
        Index1D r,
        ArrayView<float> p, // [m,k]
        ArrayView<float> target, // [m,k]
        ArrayView<float> g, // [m]
        int k,
        ArrayView<float> dp // [m,k]
    ) =>
        LossRows.CrossEntropyBackward(
            r,
            new DeviceFloats(p),
            new DeviceFloats(target),
            new DeviceFloats(g),
            k,
            new DeviceFloats(dp)
        );

    /// <summary>
    /// dist[r] = ||a[r] - b[r]||_2: the CPU's squared differences summed in its RowSum order, one group of RowGroup
    /// threads per row (grid: m).
    /// </summary>
    public static void L2Distance(
        ArrayView<float> a, // [m,d]
        ArrayView<float> b, // [m,d]
        int d,
        ArrayView<float> dist // [m]
    )
    {
        var shared = SharedMemory.Allocate<float>(RowGroup);
        int l = Group.IdxX,
            r = Grid.IdxX;
        float s = 0f;
        for (int j = l; j < d; j += RowGroup)
        {
            s += default(Cpu.CpuBackend.SquaredDifference)
                .Invoke(new Cpu.Lane(a[r * d + j]), new Cpu.Lane(b[r * d + j]))
                .V;
        }

        float t = GroupReduce.RowSum8(shared, s, l);
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
        float v = n > 0f ? (a[i] - b[i]) * (g[i / d] / n) : 0f; // the CPU's order: (a - b) (g / n)
        if (!accumulate)
            da[i] = v;
        else if (n > 0f)
            da[i] += v;
    }
}

namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// Sums across the threads of a group in one fixed order, so that a run is bitwise repeatable on the same device.
/// Written by hand because ILGPU.Algorithms' GroupExtensions.Reduce combines its warps' sums through shared-memory
/// atomics, whose order (and so the float rounding) changes from launch to launch; a shared-memory tree also needs
/// no sub-group support from an OpenCL device.
/// </summary>
static class GroupReduce
{
    /// <summary>
    /// The sum of <paramref name="value"/> over threads 0..size-1 of the group (size a power of two, at most the
    /// length of <paramref name="shared"/>), added pairwise: thread l adds l + w for w = size/2, size/4, ..., 1.
    /// Every thread receives the total. Every thread of the group must call it.
    /// </summary>
    public static float Sum(
        ArrayView<float> shared, // [size]
        float value,
        int lane,
        int size
    )
    {
        shared[lane] = value;
        Group.Barrier();
        for (int w = size / 2; w > 0; w >>= 1)
        {
            if (lane < w)
                shared[lane] += shared[lane + w];
            Group.Barrier();
        }
        float total = shared[0];
        Group.Barrier();
        return total;
    }
}

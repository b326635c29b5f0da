namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// Sums across the threads of a group in the CPU's order, so that a device gives the managed CPU's bits. Written by
/// hand because ILGPU.Algorithms' GroupExtensions.Reduce combines its warps' sums through shared-memory atomics, whose
/// order (and so the float rounding) changes from launch to launch; shared memory also needs no sub-group support from
/// an OpenCL device.
/// </summary>
static class GroupReduce
{
    /// <summary>
    /// A row's sum in the CPU's RowSum order from its eight lane sums (thread q of a RowGroup group holding the sum of
    /// elements q, q + 8, ... in order): ((0 + 1) + (2 + 3)) + ((4 + 5) + (6 + 7)). Every thread receives it; every
    /// thread of the group must call it.
    /// </summary>
    public static float RowSum8(
        ArrayView<float> shared, // [RowGroup]
        float laneSum,
        int lane
    )
    {
        shared[lane] = laneSum;
        Group.Barrier();
        float total =
            ((shared[0] + shared[1]) + (shared[2] + shared[3])) + ((shared[4] + shared[5]) + (shared[6] + shared[7]));
        Group.Barrier();
        return total;
    }
}

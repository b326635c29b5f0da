namespace Untapped.Kernels.Ilgpu;

/// <summary>A float32 allocation in an ILGPU accelerator's memory.</summary>
sealed class IlgpuBuffer(IlgpuBackend owner, MemoryBuffer1D<float, Stride1D.Dense> memory)
    : BackendBuffer(owner, (int)memory.Length)
{
    public MemoryBuffer1D<float, Stride1D.Dense> Memory { get; } = memory;

    // Through the owner: after a device fault a failure to free is dropped rather than thrown over the fault.
    protected override void Release() => owner.Release(Memory.Dispose);
}

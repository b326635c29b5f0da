namespace Untapped.Kernels.Ilgpu;

/// <summary>A float32 allocation in an ILGPU accelerator's memory.</summary>
sealed class IlgpuBuffer(IlgpuBackend owner, MemoryBuffer1D<float, Stride1D.Dense> memory)
    : BackendBuffer(owner, (int)memory.Length)
{
    public MemoryBuffer1D<float, Stride1D.Dense> Memory { get; } = memory;

    protected override void Release() => Memory.Dispose();
}

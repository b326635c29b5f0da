using Untapped.Kernels;
using Untapped.Kernels.Ilgpu;

namespace Untapped.Tests;

/// <summary>
/// ILGPU CPU accelerators shared per test assembly: making one compiles the whole catalogue (seconds), so the tests
/// share them. xunit runs test classes in parallel, so a test holds <see cref="Lock"/> while it uses one.
/// </summary>
public static class SharedIlgpu
{
    static readonly Lazy<IlgpuBackend> Instance = new(() => new IlgpuBackend(BackendKind.IlgpuCpu));
    static readonly Lazy<IlgpuBackend> CudaLike = new(() =>
        new IlgpuBackend(BackendKind.IlgpuCpu, 0, new IlgpuSettings(Assertions: true, CudaGeometry: true))
    );

    public static readonly object Lock = new();

    /// <summary>The tests' simulated device: warps of 32, groups of up to 256 threads.</summary>
    public static IlgpuBackend Cpu => Instance.Value;

    /// <summary>
    /// CUDA's geometry (warps of 32, groups of up to 1024 threads) with ILGPU's assertions on: auto-grouped launches
    /// get the group size a GPU gives them.
    /// </summary>
    public static IlgpuBackend CudaGeometry => CudaLike.Value;

    static readonly Lazy<Backend> OpenClInstance = new(() => Backends.Create(BackendKind.OpenCl));

    /// <summary>
    /// The first OpenCL device ILGPU accepts (PoCL 6 in CI: tools/pocl6.sh), made once: its runtime compiles the whole
    /// catalogue on creation. Only where one is present (the tests that use it are BackendTheory(OpenCl)).
    /// </summary>
    public static Backend OpenCl => OpenClInstance.Value;
}

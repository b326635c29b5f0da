using Untapped.Kernels;
using Untapped.Kernels.Ilgpu;

namespace Untapped.Tests;

/// <summary>
/// One ILGPU CPU accelerator per test assembly: making one compiles the whole catalogue (seconds), so the tests share
/// it. xunit runs test classes in parallel, so a test holds <see cref="Lock"/> while it uses the accelerator.
/// </summary>
public static class SharedIlgpu
{
    static readonly Lazy<IlgpuAccelerator> Instance = new(() => new IlgpuAccelerator(AcceleratorKind.IlgpuCpu));

    public static readonly object Lock = new();

    public static IlgpuAccelerator Cpu => Instance.Value;
}

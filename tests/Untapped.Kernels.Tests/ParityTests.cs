using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Tests;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>
/// Every catalogue case, forward and backward, on an ILGPU backend against the managed CPU twin, within the case's
/// stated absolute + relative tolerance (random draws and the hard Bernoulli sample: exactly).
/// </summary>
public static class Parity
{
    public static void Check(Backend device, string name)
    {
        var c = OpCases.Get(CaseSize.Test, name);
        using var cpu = new CpuBackend(1);
        var expected = OpCases.Execute(c, cpu);
        var actual = OpCases.Execute(c, device);
        foreach (var o in c.Outputs)
            Close.All(expected[o], actual[o], c.Atol, c.Rtol, $"{name}.{o} on {device.Name}");
    }
}

/// <summary>The device kernels on ILGPU's CPU accelerator: runs everywhere, CI included.</summary>
public sealed class IlgpuCpuParityTests
{
    [Theory]
    [MemberData(nameof(CaseNames.All), MemberType = typeof(CaseNames))]
    public void MatchesCpu(string kernel)
    {
        lock (SharedIlgpu.Lock)
            Parity.Check(SharedIlgpu.Cpu, kernel);
    }
}

/// <summary>
/// The same on ILGPU's CPU accelerator with CUDA's launch geometry and assertions on: an auto-grouped kernel gets up to
/// 1024 threads per group, as on a GPU, so a launch that assumes the smaller simulated groups fails here.
/// </summary>
public sealed class CudaGeometryParityTests
{
    [Theory]
    [MemberData(nameof(CaseNames.All), MemberType = typeof(CaseNames))]
    public void MatchesCpu(string kernel)
    {
        lock (SharedIlgpu.Lock)
            Parity.Check(SharedIlgpu.CudaGeometry, kernel);
    }

    [Fact]
    public void TheGeometryIsCudas()
    {
        var d = SharedIlgpu.CudaGeometry.Device;
        Assert.Equal((32, 1024), (d.WarpSize, d.MaxNumThreadsPerGroup));
        Assert.True(SharedIlgpu.CudaGeometry.Settings.Assertions);
        Assert.Equal((32, 256), (SharedIlgpu.Cpu.Device.WarpSize, SharedIlgpu.Cpu.Device.MaxNumThreadsPerGroup));
    }
}

public sealed class OpenClParityTests
{
    [BackendTheory(BackendKind.OpenCl)]
    [MemberData(nameof(CaseNames.All), MemberType = typeof(CaseNames))]
    public void MatchesCpu(string kernel)
    {
        using var dev = Backends.Create(BackendKind.OpenCl);
        Parity.Check(dev, kernel);
    }
}

public sealed class CudaParityTests
{
    [BackendTheory(BackendKind.Cuda)]
    [MemberData(nameof(CaseNames.All), MemberType = typeof(CaseNames))]
    public void MatchesCpu(string kernel)
    {
        using var dev = Backends.Create(BackendKind.Cuda);
        Parity.Check(dev, kernel);
    }
}

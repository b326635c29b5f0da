using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Tests;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>
/// Every catalogue case, forward and backward, on an ILGPU backend against the managed CPU twin, bit for bit: every
/// backend runs the project's own maths in the CPU's order (a mismatch names the first differing element and its
/// distance in ulps).
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
        {
            var r = Tolerance.Exact(expected[o], actual[o]);
            Assert.True(r.Pass, $"{name}.{o} on {device.Name}{r.Problem}");
        }
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
        lock (SharedIlgpu.Lock)
            Parity.Check(SharedIlgpu.OpenCl, kernel);
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

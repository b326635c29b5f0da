using Untapped.Kernels;
using Untapped.Kernels.OpenCl;
using Untapped.Tests;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>Build and launch failures carry the backend's own message and name what failed.</summary>
public sealed class DeviceFaultTests
{
    [BackendTheory(AcceleratorKind.OpenCl)]
    [InlineData("__kernel void broken(__global float* x) { x[0] = undeclared_symbol; }")]
    public void OpenClBuildFailureIncludesTheBuildLog(string source)
    {
        var e = Assert.Throws<DeviceException>(() => new OpenClAccelerator(0, source));
        Assert.Contains("CL_BUILD_PROGRAM_FAILURE", e.Message);
        Assert.Contains("build log", e.Message);
        Assert.Contains("undeclared_symbol", e.Message);
    }

    [BackendTheory(AcceleratorKind.OpenCl)]
    [InlineData(100_000)]
    public void OpenClLaunchFailureNamesTheKernelAndTheError(int local)
    {
        using var acc = new OpenClAccelerator();
        using var b = acc.Allocate(16);
        var e = Assert.Throws<DeviceException>(() => acc.LaunchRaw("fill", new Dim3(local), new Dim3(local), 16, 1f, b));
        Assert.Contains("'fill'", e.Message);
        Assert.Contains("CL_INVALID_WORK_GROUP_SIZE", e.Message);
    }
}

using Untapped.Tests;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>What ILGPU finds on this machine, and why it refuses what it refuses.</summary>
public sealed class DeviceListingTests
{
    [Fact]
    public void TheIlgpuCpuAcceleratorAndTheManagedCpuAreAlwaysListed()
    {
        var kinds = Backends.Devices().Select(d => d.Kind).ToList();
        Assert.Contains(BackendKind.IlgpuCpu, kinds);
        Assert.Equal(BackendKind.Cpu, kinds[^1]);
        Assert.Null(Backends.Unavailable(BackendKind.IlgpuCpu));
        // ILGPU adds its default CPU device to a context with no device; it must not pass for a CUDA or OpenCL one.
        Assert.DoesNotContain(Backends.Devices(), d => d.Kind is BackendKind.Cuda or BackendKind.OpenCl && d.Name.Contains("ILGPU CPU"));
    }

    [Fact]
    public void AnAbsentBackendSaysWhy()
    {
        foreach (var kind in new[] { BackendKind.Cuda, BackendKind.OpenCl })
        {
            var why = Backends.Unavailable(kind);
            if (why is null) continue; // present here
            var e = Assert.Throws<BackendUnavailableException>(() => Backends.Create(kind));
            Assert.Contains(why, e.Message);
        }
    }

    /// <summary>
    /// Debian installs the OpenCL loader only as libOpenCL.so.1, which ILGPU does not look for by itself; CI installs
    /// it with POCL, which ILGPU 1.5.3 refuses for lacking the generic address space. Seeing POCL refused for that
    /// reason proves both the loader resolution and the reporting.
    /// </summary>
    [OpenClLoaderFact]
    public void OpenClDevicesAreFoundThroughLibOpenClSo1AndRefusalsNamed()
    {
        var usable = Backends.Devices().Count(d => d.Kind == BackendKind.OpenCl);
        var refused = Backends.RefusedDevices();
        Assert.True(usable + refused.Count > 0, "an ICD is installed, yet ILGPU saw no OpenCL device: libOpenCL.so.1 was not resolved");
        foreach (var r in refused) Assert.StartsWith("refused by ILGPU", r.RefusedBecause);
        if (usable == 0) Assert.Contains("refused by ILGPU", Backends.Unavailable(BackendKind.OpenCl));
    }
}

/// <summary>
/// A fact that needs Debian's OpenCL loader (libOpenCL.so.1) with an installed ICD; skipped, saying so, elsewhere.
/// Under CI=true it always runs (CI installs both), so a missing loader fails there.
/// </summary>
public sealed class OpenClLoaderFactAttribute : FactAttribute
{
    public OpenClLoaderFactAttribute()
    {
        bool loader = File.Exists("/usr/lib/x86_64-linux-gnu/libOpenCL.so.1") && Directory.Exists("/etc/OpenCL/vendors")
            && Directory.EnumerateFiles("/etc/OpenCL/vendors").Any();
        if (!loader && !Ci.Required) Skip = "no OpenCL loader (libOpenCL.so.1) with an ICD here: apt-get install ocl-icd-libopencl1 pocl-opencl-icd";
    }
}

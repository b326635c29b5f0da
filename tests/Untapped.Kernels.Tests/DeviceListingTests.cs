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
        Assert.DoesNotContain(Backends.Devices(), d =>
            d.Kind is BackendKind.Cuda or BackendKind.OpenCl && d.Name.Contains("ILGPU CPU")
        );
    }

    [BackendAbsentFact(BackendKind.Cuda)]
    public void AnAbsentCudaSaysWhy() => AbsentSaysWhy(BackendKind.Cuda);

    [BackendAbsentFact(BackendKind.OpenCl)]
    public void AnAbsentOpenClSaysWhy() => AbsentSaysWhy(BackendKind.OpenCl);

    // A GPU the driver reports but ILGPU refuses (too new a compute capability for its PTX, say): the reason is ILGPU's,
    // named per device, not "no CUDA device".
    [Fact]
    public void ARefusedDeviceIsNamedWithILGPUsReason()
    {
        var refused = new[]
        {
            new BackendDevice(
                BackendKind.Cuda,
                0,
                "NVIDIA B200",
                "sm_100",
                RefusedBecause: "refused by ILGPU 1.5.3: no PTX instruction set it generates fits driver 12.8"
            ),
        };
        Assert.Equal(
            "ILGPU refused every CUDA device: NVIDIA B200: refused by ILGPU 1.5.3: no PTX instruction set it generates fits driver 12.8",
            Ilgpu.IlgpuDevices.Absence("CUDA", refused, "none")
        );
        Assert.Equal("no device here", Ilgpu.IlgpuDevices.Absence("CUDA", [], "no device here"));
    }

    static void AbsentSaysWhy(BackendKind kind)
    {
        var why = Backends.Unavailable(kind);
        Assert.False(string.IsNullOrWhiteSpace(why));
        var e = Assert.Throws<BackendUnavailableException>(() => Backends.Create(kind));
        Assert.Contains(why, e.Message);
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
        Assert.True(
            usable + refused.Count > 0,
            "an ICD is installed, yet ILGPU saw no OpenCL device: libOpenCL.so.1 was not resolved"
        );
        foreach (var r in refused)
            Assert.StartsWith("refused by ILGPU", r.RefusedBecause);
        if (usable == 0)
            Assert.Contains("refused by ILGPU", Backends.Unavailable(BackendKind.OpenCl));
    }

    /// <summary>
    /// Before ILGPU loads an OpenCL driver, PoCL's work-group method is set to CBS in the native environment (where
    /// PoCL reads it), unless the user chose one: the variable as the process started, else "cbs".
    /// </summary>
    [LinuxFact]
    public void PoclIsAskedForContinuationBasedWorkGroupsUnlessTheUserChoseAMethod()
    {
        var chosen = Environment.GetEnvironmentVariable(Ilgpu.NativeLibraries.PoclWorkGroupMethod);
        Ilgpu.NativeLibraries.Register(); // what ILGPU's GPU contexts call first (idempotent)
        Assert.Equal(
            chosen ?? Ilgpu.NativeLibraries.PoclCbs,
            Ilgpu.NativeLibraries.NativeEnvironment(Ilgpu.NativeLibraries.PoclWorkGroupMethod)
        );
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
        bool loader =
            File.Exists("/usr/lib/x86_64-linux-gnu/libOpenCL.so.1")
            && Directory.Exists("/etc/OpenCL/vendors")
            && Directory.EnumerateFiles("/etc/OpenCL/vendors").Any();
        if (!loader && !Ci.Required)
        {
            Skip =
                "no OpenCL loader (libOpenCL.so.1) with an ICD here: apt-get install ocl-icd-libopencl1 pocl-opencl-icd";
        }
    }
}

/// <summary>A fact about Linux-only behaviour (the native environment, libc); skipped, saying so, elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "Linux only: untapped sets PoCL's variable through libc's setenv there";
    }
}

/// <summary>
/// The --backend names of the CLI and the bench (<see cref="BackendNames"/>), and the GEMM trace `bench limit` reads.
/// </summary>
public sealed class BackendNamesAndTraceTests
{
    [Theory]
    [InlineData("cpu", BackendKind.Cpu)]
    [InlineData("ILGPU-CPU", BackendKind.IlgpuCpu)]
    [InlineData("cuda", BackendKind.Cuda)]
    [InlineData("OpenCL", BackendKind.OpenCl)]
    public void EveryNameParsesToItsKindAndBack(string name, BackendKind kind)
    {
        Assert.Equal(kind, BackendNames.Parse(name));
        Assert.Equal(name.ToLowerInvariant(), BackendNames.Name(kind));
    }

    [Fact]
    public void AnUnknownNameListsTheValidOnes()
    {
        var e = Assert.Throws<BackendUnavailableException>(() => BackendNames.Create("gpu", 1));
        Assert.Equal("unknown backend 'gpu'; valid: auto, cuda, opencl, ilgpu-cpu, cpu", e.Message);
        Assert.True(BackendNames.IsAuto("AUTO"));
        Assert.IsType<Cpu.CpuBackend>(BackendNames.Create("cpu", 1));
    }

    [Fact]
    public void TheTraceRecordsEachGemmAsCalledAndChangesNoBit()
    {
        using var acc = new Cpu.CpuBackend(2);
        var r = new Random(3);
        float[] Rand(int n) => Enumerable.Range(0, n).Select(_ => r.NextSingle() - 0.5f).ToArray();
        using var a = acc.Upload(Rand(37 * 29));
        using var b = acc.Upload(Rand(29 * 11));
        using var bias = acc.Upload(Rand(11));
        using var c1 = acc.Allocate(37 * 11);
        using var c2 = acc.Allocate(37 * 11);
        using var w = acc.Allocate(29 * 11);
        acc.Gemm(a, b, bias, 37, 29, 11, false, false, Activation.Tanh, false, c1);
        var trace = new GemmTrace();
        acc.GemmTrace = trace;
        acc.Gemm(a, b, bias, 37, 29, 11, false, false, Activation.Tanh, false, c2);
        acc.Gemm(a, c2, default, 29, 37, 11, true, false, Activation.None, true, w); // a weight gradient: X^T dZ, accumulated
        acc.GemmTrace = null;
        acc.Gemm(a, b, default, 37, 29, 11, false, false, Activation.None, false, c1); // not recorded
        Assert.Equal(2, trace.Calls.Count);
        Assert.Equal(
            new GemmCall(37, 29, 11, false, false, Activation.Tanh, false, true, trace.Calls[0].Ms),
            trace.Calls[0]
        );
        Assert.Equal(
            new GemmCall(29, 37, 11, true, false, Activation.None, true, false, trace.Calls[1].Ms),
            trace.Calls[1]
        );
        Assert.Equal("29x37x11 TN", trace.Calls[1].Shape);
        Assert.Equal(2L * 29 * 37 * 11, trace.Calls[1].Flops);
        Assert.All(trace.Calls, g => Assert.True(g.Ms > 0));
        // The traced call's output equals the untraced one bit for bit (recomputed here untraced into c1).
        acc.Gemm(a, b, bias, 37, 29, 11, false, false, Activation.Tanh, false, c1);
        Assert.Equal(acc.ToArray(c1), acc.ToArray(c2));
    }
}

using Untapped.Tests;
using Untapped.Kernels;
using Untapped.Kernels.Cuda;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>The CUDA path cannot silently break on machines without a GPU: every .cl file must compile under NVRTC.</summary>
public sealed class NvrtcTests
{
    public static TheoryData<string> Files()
    {
        var d = new TheoryData<string>();
        foreach (var f in KernelSource.Files) d.Add(f);
        return d;
    }

    [NvrtcFact]
    public void EveryKernelFileCompilesForComputeCapability80And90()
    {
        Assert.NotEmpty(KernelSource.Files);
        foreach (var file in KernelSource.Files)
            foreach (var arch in new[] { "compute_80", "compute_90" })
            {
                var ptx = System.Text.Encoding.ASCII.GetString(Nvrtc.Compile(KernelSource.Standalone(file), file, arch));
                Assert.Contains($".target sm_{arch[^2..]}", ptx);
                foreach (var k in Untapped.Kernels.OpenCl.OpenClAccelerator.KernelNames(KernelSource.Standalone(file)))
                    Assert.Contains($".entry {k}(", ptx);
            }
    }

    [NvrtcFact]
    public void WholeProgramCompilesToACubinForHopper()
    {
        var cubin = Nvrtc.Compile(KernelSource.Program(), "untapped.cu", "sm_90");
        Assert.True(cubin.Length > 1000 && cubin[0] == 0x7f && cubin[1] == (byte)'E', "an ELF cubin");
    }

    [NvrtcFact]
    public void CompileErrorsCarryNvrtcsLog()
    {
        var e = Assert.Throws<DeviceException>(() => Nvrtc.Compile("extern \"C\" __global__ void broken() { undeclared_thing(); }", "broken.cu", "compute_80"));
        Assert.Contains("undeclared_thing", e.Message);
    }

    [Fact]
    public void EveryKernelFileIsSelfContainedAndNamed()
    {
        var names = KernelSource.Files.SelectMany(f => Untapped.Kernels.OpenCl.OpenClAccelerator.KernelNames(KernelSource.Standalone(f))).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (var k in new[] { "gemm", "adam", "philox_uniform", "concrete_logpdf_backward", "logistic_flow_inverse" }) Assert.Contains(k, names);
    }
}

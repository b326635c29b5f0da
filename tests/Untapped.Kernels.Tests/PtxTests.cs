using ILGPU.Runtime.Cuda;
using Untapped.Checks;
using Untapped.Kernels.Ilgpu;
using Untapped.Tests;
using Xunit;
using Xunit.Abstractions;

namespace Untapped.Kernels.Tests;

/// <summary>
/// A fact that needs NVIDIA's ptxas; under CI=true a missing ptxas fails the test instead of skipping it.
/// </summary>
public sealed class PtxasFactAttribute : FactAttribute
{
    public PtxasFactAttribute()
    {
        if (Ptxas.Find() is null && !Ci.Required)
            Skip = "ptxas not found ($PTXAS or PATH): .ci/run extracts it from Debian's nvidia-cuda-toolkit .deb";
    }
}

/// <summary>
/// The CUDA path cannot silently break on machines without a GPU: every device kernel goes through ILGPU's PTX
/// backend for sm_80 and sm_90, and the PTX is assembled by NVIDIA's ptxas.
/// </summary>
public sealed class PtxTests(ITestOutputHelper output)
{
    // The catalogue is the Backend's abstract *Core methods (Catalogue.Operations). Every one of them has a
    // device kernel of the same name in a Device* class (found by reflection, which is also how the PTX list and this test get
    // it, so nothing is kept by hand); the only device kernels without an operation of their own are the named steps
    // of a multi-kernel operation.
    static readonly string[] StepsOfOtherOperations = ["GlobalNorm"]; // Adam: the global norm, then the update

    [Fact]
    public void EveryOperationHasADeviceKernelOfItsName()
    {
        var device = DeviceKernels.All.Select(k => k.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            Catalogue.Operations().Where(o => o != "Copy").Concat(StepsOfOtherOperations).Order(StringComparer.Ordinal),
            device
        ); // Copy is the backend's own copy
    }

    // Every operation is checked at the test size (parity tests, the GPU check) and benchmarked and checked at the
    // model's (bench kernels, bench gemm, bench parity); every case names a real operation.
    [Theory]
    [InlineData("test")]
    [InlineData("model")]
    public void TheCasesOfASizeCoverEveryOperation(string size)
    {
        var s = size == "test" ? CaseSize.Test : CaseSize.Model;
        Assert.Equal(Catalogue.Operations(), OpCases.At(s).Select(c => c.Op).Distinct().Order(StringComparer.Ordinal));
    }

    // ILGPU 1.5.3 writes the lowest target that has every capability it uses (sm_80) also when asked for sm_90; the
    // driver JIT-compiles that PTX for the device, the step ptxas -arch=sm_90 reproduces below.
    [Fact]
    public void EveryKernelCompilesToPtxForSm80AndSm90()
    {
        foreach (var arch in new[] { CudaArchitecture.SM_80, CudaArchitecture.SM_90 })
        {
            foreach (var k in DeviceKernels.All)
            {
                var ptx = Ptx.Compile(k, arch);
                Assert.Contains(".target sm_80", ptx);
                Assert.Contains(".version 7.8", ptx);
                Assert.Contains(".entry ", ptx);
            }
        }
    }

    // The PTX that trains rounds where the C# does: no approximate or flush-to-zero instruction, and every float add,
    // subtract and multiply carries .rn, which ptxas never contracts into an FMA (the FMAs the code wants are explicit
    // fma.rn.f32). ILGPU writes them bare: the rewrite must have work to do, or this test checks nothing.
    [Fact]
    public void EveryKernelsPtxHasExactArithmeticOnly()
    {
        var bare = new System.Text.RegularExpressions.Regex(@"\b(add|sub|mul)\.f(32|64)\b");
        int rewritten = 0;
        foreach (var k in DeviceKernels.All)
        {
            string raw = Ptx.CompileAsIlgpuDoes(k, CudaArchitecture.SM_80).PTXAssembly,
                ptx = Ptx.Compile(k, CudaArchitecture.SM_80),
                name = DeviceKernels.NameOf(k);
            if (bare.IsMatch(raw))
                rewritten++;
            Assert.DoesNotContain(".approx", ptx);
            Assert.DoesNotContain(".ftz", ptx);
            Assert.False(bare.IsMatch(ptx), $"{name}: {bare.Match(ptx).Value} without a rounding mode");
            Assert.DoesNotMatch(@"\bmad\.(rn\.)?f32", ptx);
        }
        Assert.True(rewritten > 20, $"only {rewritten} kernels had bare float arithmetic to rewrite");
        Assert.Contains(
            "fma.rn.f32",
            Ptx.Compile(DeviceKernels.All.Single(k => k.Name == "Gemm"), CudaArchitecture.SM_80)
        );
    }

    // The copy the CUDA backend loads is made through ILGPU's internal constructor (by reflection): it must still be
    // the same kernel, with only its arithmetic rewritten.
    [Fact]
    public void TheExactCopyIsTheSameKernel()
    {
        var k = DeviceKernels.All.Single(m => m.Name == "Gemm");
        var raw = Ptx.CompileAsIlgpuDoes(k, CudaArchitecture.SM_80);
        var exact = Ptx.WithExactArithmetic(raw);
        Assert.Equal((raw.Name, raw.NumParameters, raw.IndexType), (exact.Name, exact.NumParameters, exact.IndexType));
        Assert.Same(raw.Info, exact.Info);
        Assert.Equal(Ptx.Exact(raw.PTXAssembly), exact.PTXAssembly);
        Assert.Equal(
            "add.rn.f32 %f1, %f2, %f3; mul.rn.f64 %fd1; sub.rn.f32; fma.rn.f32; add.s32",
            Ptx.Exact("add.f32 %f1, %f2, %f3; mul.f64 %fd1; sub.f32; fma.rn.f32; add.s32")
        );
    }

    // Every kernel assembles for sm_80 and sm_90 with no spills (stores or loads) and within the 48 KB of shared memory
    // a group gets under ILGPU, and docs/kernels.md's resource table is what ptxas reports now.
    [PtxasFact]
    public void PtxasAssemblesEveryKernelWithoutSpillsAndTheDocumentedResources()
    {
        var ptxas = Ptxas.Find()
            ?? throw new InvalidOperationException(
                "CI=true and ptxas is missing: .ci/run should have extracted it ($PTXAS)"
            );
        var rows = Ptxas.All(ptxas).ToList();
        Assert.Equal(DeviceKernels.All.Count * Ptxas.Targets.Length, rows.Count);
        foreach (var (k, target, r) in rows)
        {
            output.WriteLine(
                $"{target} {k}: {r.Registers} registers, {r.SharedBytes} B smem, {r.StackBytes} B stack, spills {r.SpillStores}/{r.SpillLoads} B"
            );
            Assert.InRange(r.Registers, 1, 255);
            Assert.True(
                r.SpillStores == 0 && r.SpillLoads == 0,
                $"{k} at {target} spills {r.SpillStores} B / loads {r.SpillLoads} B"
            );
            Assert.True(
                r.SharedBytes <= Ptxas.SharedLimitBytes,
                $"{k} at {target} uses {r.SharedBytes} B of shared memory, over {Ptxas.SharedLimitBytes}"
            );
        }
        Assert.Equal(Ptxas.Table(rows), DocumentedTable());
    }

    const string TableStart = "<!-- ptxas table: `bench ptx` writes it; PtxTests checks it -->";

    static IEnumerable<string> DocumentedTable() =>
        File.ReadLines(Path.Combine(RepoPaths.Root, "docs", "kernels.md"))
            .SkipWhile(l => l != TableStart)
            .Skip(1)
            .TakeWhile(l => l.StartsWith('|'))
            .ToList();

    [PtxasFact]
    public void PtxasRejectsBrokenPtx()
    {
        var e = Assert.Throws<DeviceException>(() =>
            Ptxas.Assemble(
                Ptxas.Find()!,
                ".version 7.8\n.target sm_80\n.address_size 64\n.visible .entry k() { bogus.instruction; }",
                "sm_80"
            )
        );
        Assert.Contains("bogus", e.Message);
    }
}

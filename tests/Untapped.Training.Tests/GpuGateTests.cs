using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Kernels.Ilgpu;
using Untapped.Training.Gate;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// The self-check gate in front of a GPU, driven without one: <see cref="GpuGate.Open"/> is a function of the backend
/// and the case list, so ILGPU's CPU accelerator stands in for the GPU and a case that must fail stands in for a broken
/// kernel. Under auto a failure falls back to the managed CPU and says which kernel failed and by how much; under an
/// explicit backend it is an error; a pass is cached and not run again.
/// </summary>
public sealed class GpuGateTests
{
    static string Cache() => Directory.CreateTempSubdirectory("untapped-gate-").FullName;

    // Fill writes 2 on the device under test and 1 on the managed CPU reference: an error of exactly 1 everywhere.
    static readonly OpCase Broken = new(
        "fill_broken_on_device",
        nameof(Backend.Fill),
        _ => new() { ["o"] = new float[300] },
        ["o"],
        (a, h) => a.Fill(300, a.Kind == BackendKind.Cpu ? 1f : 2f, h["o"])
    );

    // The gate compares bits: a device one ulp off everywhere fails it as surely.
    static readonly OpCase OneUlpOff = new(
        "fill_one_ulp_off_on_device",
        nameof(Backend.Fill),
        _ => new() { ["o"] = new float[300] },
        ["o"],
        (a, h) => a.Fill(300, a.Kind == BackendKind.Cpu ? 1f : MathF.BitIncrement(1f), h["o"])
    );

    // A kernel that never returns stands in for a GPU that hangs at a barrier: the gate gives up at its deadline.
    static readonly OpCase Hangs = new(
        "fill_hangs_on_device",
        nameof(Backend.Fill),
        _ => new() { ["o"] = new float[3] },
        ["o"],
        (a, h) =>
        {
            if (a.Kind != BackendKind.Cpu)
                Thread.Sleep(Timeout.Infinite);
            a.Fill(3, 1f, h["o"]);
        }
    );

    [Fact]
    public void AHangIsAFailedCheckAtTheDeadline()
    {
        var log = new StringWriter();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var outcome = GpuGate.Open(
            BackendKind.IlgpuCpu,
            0,
            explicitChoice: false,
            SelfCheckMode.Auto,
            [Hangs],
            1,
            log,
            Cache(),
            step: false,
            deadline: TimeSpan.FromSeconds(3)
        );
        using var acc = outcome.Backend;
        Assert.True(outcome.FellBack);
        Assert.IsType<CpuBackend>(acc);
        Assert.InRange(clock.Elapsed.TotalSeconds, 3, 60);
        Assert.Contains("did not finish within 3 s: a kernel or the driver hangs", log.ToString());
        Assert.Throws<SelfCheckFailedException>(() =>
            GpuGate.Open(
                BackendKind.IlgpuCpu,
                0,
                explicitChoice: true,
                SelfCheckMode.Auto,
                [Hangs],
                1,
                TextWriter.Null,
                Cache(),
                step: false,
                deadline: TimeSpan.FromSeconds(1)
            )
        );
    }

    [Fact]
    public void OneUlpIsAFailureThatNamesTheElementAndTheDistance()
    {
        var log = new StringWriter();
        var outcome = GpuGate.Open(
            BackendKind.IlgpuCpu,
            0,
            explicitChoice: false,
            SelfCheckMode.Auto,
            [OneUlpOff],
            1,
            log,
            Cache(),
            step: false
        );
        using var acc = outcome.Backend;
        Assert.True(outcome.FellBack);
        var bad = Assert.Single(outcome.Report!.Rows);
        Assert.False(bad.Pass);
        Assert.Contains("[0]: expected 1, got 1.0000001 (1 ulp apart; 300 of 300 elements differ)", bad.Problem);
    }

    static IEnumerable<OpCase> Good() =>
        OpCases.At(CaseSize.Test).Where(c => c.Name is "philox_uniform" or "gemm_nn_None" or "sum_squares_partials");

    [Fact]
    public void AFailingKernelMakesAutoFallBackToTheCpuAndSaysWhichAndHow()
    {
        var log = new StringWriter();
        var outcome = GpuGate.Open(
            BackendKind.IlgpuCpu,
            0,
            explicitChoice: false,
            SelfCheckMode.Auto,
            [.. Good(), Broken],
            1,
            log,
            Cache(),
            step: false
        );
        using var acc = outcome.Backend;
        Assert.True(outcome.FellBack);
        Assert.IsType<CpuBackend>(acc);
        Assert.False(outcome.Report!.Pass);
        var bad = Assert.Single(outcome.Report.Rows, r => !r.Pass);
        Assert.Equal(("fill_broken_on_device", 1.0, 1.0), (bad.Kernel, bad.MaxAbs, bad.MaxRel));
        Assert.All(outcome.Report.Rows.Where(r => r.Kernel != Broken.Name), r => Assert.True(r.Pass, r.Problem));
        string text = log.ToString();
        Assert.Contains("self-check failed: kernel 'fill_broken_on_device' (o)", text);
        Assert.Contains("expected 1, got 2", text);
        Assert.Contains("falling back to the managed CPU", text);
    }

    [Fact]
    public void AFailingKernelUnderAnExplicitBackendIsAnErrorNamingIt()
    {
        var e = Assert.Throws<SelfCheckFailedException>(() =>
            GpuGate.Open(
                BackendKind.IlgpuCpu,
                0,
                explicitChoice: true,
                SelfCheckMode.Auto,
                [Broken],
                1,
                TextWriter.Null,
                Cache(),
                step: false
            )
        );
        Assert.Contains("kernel 'fill_broken_on_device'", e.Message);
        Assert.Contains("expected 1, got 2", e.Message);
        Assert.True(Training.RunFailure.Is(e)); // exit 1, a failed run, not a usage error
        Assert.Equal([Remedy.TrainOnCpu, Remedy.SkipSelfCheck], ((IRemedied)e).Remedies);
    }

    [Fact]
    public void APassIsCachedPerDeviceDriverAndBuildAndNeverSkipsTheCheck()
    {
        var cache = Cache();
        var log = new StringWriter();
        using (
            var first = GpuGate
                .Open(BackendKind.IlgpuCpu, 0, true, SelfCheckMode.Auto, Good(), 1, log, cache, step: false)
                .Backend
        )
        {
            Assert.IsType<IlgpuBackend>(first);
        }

        Assert.Single(Directory.GetFiles(Path.Combine(cache, "selfcheck"), "*.json"));
        // Cached: the broken case is not run again (the pass vouches for this device, driver and build).
        var cached = GpuGate.Open(
            BackendKind.IlgpuCpu,
            0,
            true,
            SelfCheckMode.Auto,
            [Broken],
            1,
            log,
            cache,
            step: false
        );
        using (cached.Backend)
            Assert.Null(cached.Report);
        Assert.Contains("is cached", log.ToString());
        // always re-runs it; never skips it.
        Assert.Throws<SelfCheckFailedException>(() =>
            GpuGate.Open(
                BackendKind.IlgpuCpu,
                0,
                true,
                SelfCheckMode.Always,
                [Broken],
                1,
                TextWriter.Null,
                cache,
                step: false
            )
        );
        var skipped = GpuGate.Open(
            BackendKind.IlgpuCpu,
            0,
            true,
            SelfCheckMode.Never,
            [Broken],
            1,
            TextWriter.Null,
            Cache(),
            step: false
        );
        using (skipped.Backend)
            Assert.Null(skipped.Report);
    }
}

/// <summary>
/// What a cached self-check pass is keyed by on CUDA (issue 42): the GPU's UUID and PCI address, the driver's full
/// build and the CUDA API version; an unknown part never matches a known one.
/// </summary>
public sealed class GateCacheKeyTests
{
    [Fact]
    public void TheCudaKeyNamesTheGpuAndTheDriverBuild()
    {
        var id = (
            Uuid: (string?)"5f1c0a8e2b7d4c3a9e6f0d1b2c3a4e5f",
            Pci: "0000:41:00",
            DriverBuild: (string?)"NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15",
            Api: "12.4"
        );
        Assert.Equal(
            "cuda uuid 5f1c0a8e2b7d4c3a9e6f0d1b2c3a4e5f pci 0000:41:00 | driver NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15 | api 12.4",
            Gate.GpuGate.CudaKey(id)
        );
        // Another GPU of the same model, the same GPU after a driver update, or an unknown UUID: other keys.
        Assert.NotEqual(Gate.GpuGate.CudaKey(id), Gate.GpuGate.CudaKey(id with { Uuid = "0" + id.Uuid![1..] }));
        Assert.NotEqual(
            Gate.GpuGate.CudaKey(id),
            Gate.GpuGate.CudaKey(id with { DriverBuild = "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.90.07" })
        );
        Assert.Contains("uuid unknown", Gate.GpuGate.CudaKey(id with { Uuid = null }));
    }
}

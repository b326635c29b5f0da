using Untapped.Kernels.Ilgpu;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>
/// A device fault ends as the error that names the kernel (issue 42): after a CUDA sticky error, freeing memory and
/// destroying the context fail too, and those failures must not replace it. Faults are injected into an ILGPU CPU
/// accelerator of the test's own, as a faulting kernel and a dead context would raise them.
/// </summary>
public sealed class DeviceFaultTests
{
    [Fact]
    public void AfterAFaultReleasingTheBuffersAndTheAcceleratorDoesNotThrowOverIt()
    {
        var acc = new IlgpuBackend(BackendKind.IlgpuCpu);
        var buffer = acc.Allocate(64);
        acc.InjectLaunchFailure = () => throw new InvalidOperationException("an illegal memory access was encountered");
        var e = Assert.Throws<DeviceException>(() => acc.Fill(64, 1f, buffer));
        Assert.Contains("kernel 'DeviceArena.Fill' failed", e.Message);
        Assert.Contains("illegal memory access", e.Message);
        Assert.Same(e, acc.FirstFault);

        // The context is dead now: every free fails. The fault stays the error; releasing goes through.
        int frees = 0;
        acc.InjectReleaseFailure = () =>
        {
            frees++;
            throw new InvalidOperationException("context is destroyed");
        };
        buffer.Dispose();
        acc.Dispose();
        Assert.True(buffer.IsDisposed);
        // The buffer, then the backend's norm buffer, each kernel it loaded (outside ILGPU's cache, so the backend frees
        // them), the accelerator and the context: each one failed.
        Assert.Equal(4 + Untapped.Kernels.Ilgpu.DeviceKernels.All.Count, frees);
        Assert.Same(e, acc.FirstFault);
    }

    [Fact]
    public void WithoutAFaultAFailedReleaseIsAnErrorOfItsOwn()
    {
        var acc = new IlgpuBackend(BackendKind.IlgpuCpu);
        var buffer = acc.Allocate(64);
        acc.Fill(64, 2f, buffer);
        Assert.Equal(Enumerable.Repeat(2f, 64), acc.ToArray(buffer));
        Assert.Null(acc.FirstFault);
        acc.InjectReleaseFailure = () => throw new InvalidOperationException("out of resources");
        var e = Assert.Throws<DeviceException>(buffer.Dispose);
        Assert.Contains("releasing device memory failed: out of resources", e.Message);
        acc.InjectReleaseFailure = null;
        acc.Dispose();
    }
}

using Untapped.Kernels.Cpu;
using Untapped.Kernels.Ilgpu;

namespace Untapped.Kernels;

/// <summary>
/// One device a backend can drive. <paramref name="RefusedBecause"/> is set for a device that is present but that
/// ILGPU will not run on (for example an OpenCL platform without the generic address space).
/// </summary>
public sealed record BackendDevice(
    BackendKind Kind,
    int Index,
    string Name,
    string Detail,
    string? RefusedBecause = null
);

/// <summary>
/// Entry point of the kernel layer: lists the devices of every backend and creates accelerators. The device backends
/// are ILGPU's (CUDA through the driver, OpenCL, its CPU accelerator); the managed CPU backend is this project's own.
/// </summary>
public static class Backends
{
    /// <summary>
    /// Every device: ILGPU's (CUDA, the OpenCL devices it accepts, its CPU accelerator), then the managed CPU.
    /// </summary>
    public static IReadOnlyList<BackendDevice> Devices()
    {
        var list = new List<BackendDevice>(IlgpuDevices.Usable());
        list.Add(
            new BackendDevice(
                BackendKind.Cpu,
                0,
                "managed CPU",
                $"{Environment.ProcessorCount} cores, vectorised; the fast CPU training path"
            )
        );
        return list;
    }

    /// <summary>Present devices that ILGPU refuses, each with its reason.</summary>
    public static IReadOnlyList<BackendDevice> RefusedDevices() => IlgpuDevices.Refused();

    /// <summary>Why a backend is absent on this machine, or null when it is present.</summary>
    public static string? Unavailable(BackendKind kind) =>
        kind == BackendKind.Cpu ? null : IlgpuDevices.Unavailable(kind);

    /// <summary>
    /// Creates an accelerator of <paramref name="kind"/>; throws <see cref="BackendUnavailableException"/> naming why
    /// when it is absent.
    /// </summary>
    public static Backend Create(BackendKind kind, int index = 0, int cpuThreads = 0)
    {
        if (kind == BackendKind.Cpu)
            return new CpuBackend(cpuThreads);
        if (Unavailable(kind) is { } why)
            throw new BackendUnavailableException($"{kind} backend is not available: {why}");
        return new IlgpuBackend(kind, index);
    }

    /// <summary>
    /// The best backend present: CUDA, else an OpenCL GPU, else the managed CPU (on a CPU it is far faster than ILGPU's
    /// CPU accelerator, which simulates GPU threads for testing).
    /// </summary>
    public static Backend CreateBest(int cpuThreads = 0) =>
        Best() is var (kind, index) && kind != BackendKind.Cpu
            ? new IlgpuBackend(kind, index)
            : new CpuBackend(cpuThreads);

    /// <summary>The backend and device index <see cref="CreateBest"/> takes.</summary>
    public static (BackendKind Kind, int Index) Best()
    {
        if (IlgpuDevices.Count(BackendKind.Cuda) > 0)
            return (BackendKind.Cuda, 0);
        if (IlgpuDevices.FirstOpenClGpu() is { } gpu)
            return (BackendKind.OpenCl, gpu);
        return (BackendKind.Cpu, 0);
    }
}

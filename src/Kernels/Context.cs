using Untapped.Kernels.Cpu;
using Untapped.Kernels.Cuda;
using Untapped.Kernels.OpenCl;

namespace Untapped.Kernels;

/// <summary>One device a backend can drive.</summary>
public sealed record DeviceInfo(AcceleratorKind Kind, int Index, string Name, string Detail);

/// <summary>
/// Entry point of the kernel layer (ILGPU-shaped): lists the devices of every backend present on this
/// machine and creates accelerators. CUDA and OpenCL are found through their native libraries at run time.
/// </summary>
public static class Context
{
    /// <summary>Every usable device: CUDA devices, then OpenCL devices, then the managed CPU.</summary>
    public static IReadOnlyList<DeviceInfo> Devices()
    {
        var list = new List<DeviceInfo>();
        for (int i = 0; i < CudaApi.DeviceCount(); i++) list.Add(new DeviceInfo(AcceleratorKind.Cuda, i, $"CUDA device {i}", Nvrtc.Available ? "NVRTC present" : Nvrtc.LoadError!));
        var cl = ClApi.Devices();
        for (int i = 0; i < cl.Count; i++)
            list.Add(new DeviceInfo(AcceleratorKind.OpenCl, i, ClApi.DeviceString(cl[i].Device, ClApi.DEVICE_NAME),
                $"{ClApi.PlatformString(cl[i].Platform, ClApi.PLATFORM_NAME)}, {ClApi.DeviceString(cl[i].Device, ClApi.DEVICE_VERSION)}, {ClApi.DeviceULong(cl[i].Device, ClApi.DEVICE_GLOBAL_MEM_SIZE) >> 20} MiB"));
        list.Add(new DeviceInfo(AcceleratorKind.Cpu, 0, "managed CPU", $"{Environment.ProcessorCount} cores"));
        return list;
    }

    /// <summary>Why a backend is absent on this machine, or null when it is present.</summary>
    public static string? Unavailable(AcceleratorKind kind) => kind switch
    {
        AcceleratorKind.Cpu => null,
        AcceleratorKind.OpenCl => !ClApi.Available ? ClApi.LoadError : ClApi.Devices().Count == 0 ? "no OpenCL platform with a device is installed (apt-get install pocl-opencl-icd for the CPU one)" : null,
        AcceleratorKind.Cuda => !CudaApi.Available ? CudaApi.LoadError : CudaApi.DeviceCount() == 0 ? "no CUDA device" : !Nvrtc.Available ? Nvrtc.LoadError : null,
        _ => "unknown backend",
    };

    /// <summary>Creates an accelerator of <paramref name="kind"/>; throws <see cref="DeviceException"/> naming why when it is absent.</summary>
    public static Accelerator Create(AcceleratorKind kind, int index = 0, int cpuThreads = 0)
    {
        if (Unavailable(kind) is { } why) throw new DeviceException($"{kind} backend is not available: {why}");
        return kind switch
        {
            AcceleratorKind.Cuda => new CudaAccelerator(index),
            AcceleratorKind.OpenCl => new OpenClAccelerator(index),
            _ => new CpuAccelerator(cpuThreads),
        };
    }

    /// <summary>The best backend present: CUDA, else an OpenCL GPU, else the managed CPU (faster than POCL here).</summary>
    public static Accelerator CreateBest(int cpuThreads = 0)
    {
        if (Unavailable(AcceleratorKind.Cuda) is null) return new CudaAccelerator();
        if (ClApi.Available)
        {
            var cl = ClApi.Devices();
            for (int i = 0; i < cl.Count; i++)
                if ((ClApi.DeviceULong(cl[i].Device, ClApi.DEVICE_TYPE) & 4) != 0) return new OpenClAccelerator(i); // CL_DEVICE_TYPE_GPU
        }
        return new CpuAccelerator(cpuThreads);
    }
}

using ILGPU.IR;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using IlgpuContext = ILGPU.Context;

namespace Untapped.Kernels.Ilgpu;

/// <summary>
/// How an ILGPU CPU accelerator is made (a GPU backend takes the defaults: its one context per process runs the build
/// that trains, which its self-check checks). <paramref name="Assertions"/> turns on ILGPU's checks inside the kernels
/// (view bounds, Debug.Assert), which the tests use. <paramref name="CudaGeometry"/> simulates CUDA's launch geometry, warps of 32 and groups of up to 1024 threads, instead of the tests' smaller
/// simulated device.
/// </summary>
public sealed record IlgpuSettings(bool Assertions = false, bool CudaGeometry = false)
{
    public static readonly IlgpuSettings Default = new();
}

/// <summary>The devices ILGPU sees, per backend, and the contexts the accelerators are made in.</summary>
public static class IlgpuDevices
{
    /// <summary>
    /// The device ILGPU's CPU accelerator simulates: warps of 32 and groups of up to LaunchShape.GroupSize threads (the
    /// largest group the kernels launch). Each simulated thread is an OS thread and each barrier a
    /// System.Threading.Barrier, so it is for testing the device kernels, not for speed.
    /// </summary>
    public static readonly CPUDevice SimulatedGpu = new(
        numThreadsPerWarp: 32,
        numWarpsPerMultiprocessor: LaunchShape.GroupSize / 32,
        numMultiprocessors: 1
    );

    /// <summary>
    /// CUDA's geometry on ILGPU's CPU accelerator: warps of 32, up to 32 warps (1024 threads) per group (ILGPU's own
    /// Nvidia profile).
    /// </summary>
    public static CPUDevice CudaGeometry => CPUDevice.Nvidia;

    static CPUDevice Simulated(IlgpuSettings s) => s.CudaGeometry ? CudaGeometry : SimulatedGpu;

    /// <summary>
    /// A context of ILGPU's CPU accelerator (its simulated device per <paramref name="settings"/>), with ILGPU.Algorithms'
    /// maths and the project's intrinsics. The GPU backends' contexts are <see cref="Shared"/>, one per process.
    /// </summary>
    public static IlgpuContext CreateContext(BackendKind kind, IlgpuSettings? settings = null)
    {
        if (kind != BackendKind.IlgpuCpu)
        {
            throw new ArgumentOutOfRangeException(
                nameof(kind),
                $"{kind}: a GPU backend's context is IlgpuDevices.Shared, one per process"
            );
        }
        settings ??= IlgpuSettings.Default;
        return IlgpuContext.Create(b =>
        {
            b.CPU(Simulated(settings));
            if (settings.Assertions)
                b.Assertions();
            b.EnableAlgorithms();
            DeviceIntrinsics.Register(b.GetIntrinsicManager());
        });
    }

    // One context per GPU backend per process, made on first use and never disposed: ILGPU's `.Cuda()` registers a
    // native-library resolver on WSL, and a second registration in one process throws there; each context also holds
    // the driver's device list. It holds every device the runtime reports, accepted or not (`Refused` lists those ILGPU
    // would drop, and why); `Of` filters them as ILGPU's default filters do. It is made without assertions: a GPU runs
    // the build that trains, and its self-check checks that build.
    static readonly object SharedGate = new();
    static IlgpuContext? _cuda,
        _openCl;

    /// <summary>The process's one ILGPU context of a GPU backend (CUDA or OpenCL); the backends never dispose it.</summary>
    public static IlgpuContext Shared(BackendKind kind)
    {
        lock (SharedGate)
        {
            switch (kind)
            {
                case BackendKind.Cuda:
                    return _cuda ??= Gpu(b => b.Cuda(_ => true));
                case BackendKind.OpenCl:
                    return _openCl ??= Gpu(b => b.OpenCL(_ => true));
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind), $"{kind} is not a GPU backend");
            }
        }
    }

    /// <summary>How many GPU contexts this process has made (tests: at most one per GPU backend).</summary>
    internal static int GpuContextsMade;

    static IlgpuContext Gpu(Action<IlgpuContext.Builder> devices)
    {
        GpuContextsMade++; // under SharedGate
        NativeLibraries.Register();
        return IlgpuContext.Create(b =>
        {
            devices(b);
            b.EnableAlgorithms();
            DeviceIntrinsics.Register(b.GetIntrinsicManager());
        });
    }

    /// <summary>The context a backend of <paramref name="kind"/> runs in: <see cref="Shared"/> for a GPU backend.</summary>
    internal static IlgpuContext ContextFor(BackendKind kind, IlgpuSettings settings) =>
        kind == BackendKind.IlgpuCpu ? CreateContext(kind, settings) : Shared(kind);

    // ILGPU 1.5.3's default filters (CudaContextExtensions.Cuda, CLContextExtensions.OpenCL), applied to the shared
    // contexts, which hold every device.
    static bool AcceptedByIlgpu(ILGPU.Runtime.Device d) =>
        d switch
        {
            CudaDevice c => c.Architecture.HasValue
                && c.InstructionSet is { } isa
                && ILGPU.Backends.PTX.PTXCodeGenerator.SupportedInstructionSets.Contains(isa),
            CLDevice c => c.CLStdVersion >= ILGPU.Backends.OpenCL.CLBackend.MinimumVersion
                && c.Capabilities.GenericAddressSpace,
            _ => true,
        };

    /// <summary>
    /// The devices of <paramref name="kind"/> that ILGPU accepts, in <paramref name="context"/> (<see cref="Shared"/>
    /// or one from <see cref="CreateContext"/>). ILGPU adds its default CPU device to a context that would otherwise
    /// have none, so the list is filtered by kind.
    /// </summary>
    public static IReadOnlyList<ILGPU.Runtime.Device> Of(
        IlgpuContext context,
        BackendKind kind,
        IlgpuSettings? settings = null
    ) =>
        context
            .Devices.Where(d =>
                kind switch
                {
                    BackendKind.Cuda => d.AcceleratorType == AcceleratorType.Cuda && AcceptedByIlgpu(d),
                    BackendKind.OpenCl => d.AcceleratorType == AcceleratorType.OpenCL && AcceptedByIlgpu(d),
                    _ => d.Equals(Simulated(settings ?? IlgpuSettings.Default)),
                }
            )
            // CUDA devices in PCI order (domain, bus, device), as nvidia-smi numbers them, not the driver's default
            // fastest-first order: `--backend cuda` and a cached self-check name the same GPU as the user's tools.
            .OrderBy(d => d is CudaDevice c ? (c.PCIDomainId, c.PCIBusId, c.PCIDeviceId) : (0, 0, 0))
            .ToArray();

    /// <summary>The devices of a kind, in its shared context (GPU) or a temporary one (ILGPU's CPU accelerator).</summary>
    static IReadOnlyList<ILGPU.Runtime.Device> Devices(BackendKind kind)
    {
        if (kind != BackendKind.IlgpuCpu)
            return Of(Shared(kind), kind);
        using var context = CreateContext(kind);
        return Of(context, kind);
    }

    /// <summary>
    /// What identifies a CUDA device and its driver for a cached self-check: the GPU's UUID (cuDeviceGetUuid from the
    /// driver; null when the call is unavailable), its PCI address, the driver's full build as the kernel module reports
    /// it (/proc/driver/nvidia/version; null elsewhere) and the CUDA API version ILGPU reads.
    /// </summary>
    public static (string? Uuid, string Pci, string? DriverBuild, string Api) Identity(CudaDevice d) =>
        (
            Uuid(d.DeviceId),
            $"{d.PCIDomainId:x4}:{d.PCIBusId:x2}:{d.PCIDeviceId:x2}",
            DriverBuild(),
            $"{d.DriverVersion}"
        );

    [System.Runtime.InteropServices.DllImport("libcuda.so.1", EntryPoint = "cuDeviceGet")]
    static extern int CuDeviceGet(out int device, int ordinal);

    [System.Runtime.InteropServices.DllImport("libcuda.so.1", EntryPoint = "cuDeviceGetUuid")]
    static extern int CuDeviceGetUuid(out Guid uuid, int device);

    static string? Uuid(int ordinal)
    {
        try
        {
            return CuDeviceGet(out int dev, ordinal) == 0 && CuDeviceGetUuid(out var g, dev) == 0
                ? Convert.ToHexStringLower(g.ToByteArray())
                : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    static string? DriverBuild()
    {
        try
        {
            var line = File.ReadLines("/proc/driver/nvidia/version").FirstOrDefault();
            return line?.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Number of usable devices of an ILGPU backend on this machine.</summary>
    public static int Count(BackendKind kind) => Devices(kind).Count;

    /// <summary>Why an ILGPU backend has no usable device here, or null when it has one.</summary>
    public static string? Unavailable(BackendKind kind)
    {
        if (kind == BackendKind.IlgpuCpu)
            return null;
        if (Count(kind) > 0)
            return null;
        return kind switch
        {
            BackendKind.Cuda => NativeLibraries.Present("libcuda.so", "libcuda.so.1")
                ? Absence(
                    "CUDA",
                    Refused().Where(r => r.Kind == BackendKind.Cuda).ToList(),
                    "the NVIDIA driver (libcuda) is present but reports no CUDA device"
                )
                : "no NVIDIA driver: libcuda.so.1 not found (ILGPU needs only the driver, not the CUDA toolkit)",
            BackendKind.OpenCl => OpenClAbsence(),
            _ => $"{kind} is not an ILGPU backend",
        };
    }

    static string OpenClAbsence()
    {
        if (!NativeLibraries.Present("libOpenCL.so", "libOpenCL.so.1"))
            return "no OpenCL ICD loader: libOpenCL.so.1 not found (Debian: apt-get install ocl-icd-libopencl1 and a driver's ICD)";
        return Absence(
            "OpenCL",
            Refused().Where(r => r.Kind == BackendKind.OpenCl).ToList(),
            "the OpenCL loader is present but no platform has a device"
        );
    }

    /// <summary>
    /// Why a backend whose runtime is present has no usable device: each device ILGPU refused with its reason (so
    /// `--backend cuda` on a refused GPU says why, not just "no device"), else <paramref name="none"/>.
    /// </summary>
    internal static string Absence(string backend, IReadOnlyList<BackendDevice> refused, string none) =>
        refused.Count == 0
            ? none
            : $"ILGPU refused every {backend} device: "
                + string.Join("; ", refused.Select(r => $"{r.Name}: {r.RefusedBecause}"));

    /// <summary>Index among the usable OpenCL devices of the first GPU, or null when there is none.</summary>
    public static int? FirstOpenClGpu()
    {
        var devices = Devices(BackendKind.OpenCl);
        for (int i = 0; i < devices.Count; i++)
        {
            if (devices[i] is CLDevice cl && (cl.DeviceType & CLDeviceType.CL_DEVICE_TYPE_GPU) != 0)
                return i;
        }

        return null;
    }

    /// <summary>
    /// Every device ILGPU sees: CUDA, then the OpenCL devices ILGPU accepts, then its CPU accelerator.
    /// </summary>
    public static IReadOnlyList<BackendDevice> Usable()
    {
        var list = new List<BackendDevice>();
        foreach (var kind in new[] { BackendKind.Cuda, BackendKind.OpenCl, BackendKind.IlgpuCpu })
        {
            var devices = Devices(kind);
            for (int i = 0; i < devices.Count; i++)
                list.Add(new BackendDevice(kind, i, Name(devices[i]), Describe(devices[i])));
        }
        return list;
    }

    /// <summary>
    /// The devices present that ILGPU's default filters drop without a word, each with the reason: CUDA devices for
    /// which no PTX instruction set of ILGPU 1.5.3 fits the driver, and OpenCL devices its filter refuses.
    /// </summary>
    public static IReadOnlyList<BackendDevice> Refused()
    {
        var refused = new List<BackendDevice>();
        foreach (var d in Shared(BackendKind.Cuda).GetCudaDevices())
        {
            if (!AcceptedByIlgpu(d))
            {
                refused.Add(
                    new BackendDevice(
                        BackendKind.Cuda,
                        refused.Count,
                        d.Name,
                        Describe(d),
                        RefusedBecause: d.InstructionSet is null
                            ? $"refused by ILGPU 1.5.3: no PTX instruction set it generates fits driver (CUDA API) {d.DriverVersion} for compute capability {d.Architecture?.Major}.{d.Architecture?.Minor}; a newer driver (or ILGPU) is needed"
                            : $"refused by ILGPU 1.5.3: PTX instruction set {d.InstructionSet} is not one its generator supports"
                    )
                );
            }
        }
        int cl = 0;
        foreach (var d in Shared(BackendKind.OpenCl).GetCLDevices())
        {
            if (!AcceptedByIlgpu(d))
            {
                refused.Add(
                    new BackendDevice(BackendKind.OpenCl, cl++, Name(d), Describe(d), RefusedBecause: Reason(d))
                );
            }
        }

        return refused;
    }

    // ILGPU 1.5 needs OpenCL C 2.0 and the generic address space (CLContextExtensions.OpenCL's default filter).
    static string Reason(CLDevice d)
    {
        var why = new List<string>();
        if (!d.Capabilities.GenericAddressSpace)
            why.Add("no generic address space");
        if (d.CLStdVersion < ILGPU.Backends.OpenCL.CLBackend.MinimumVersion)
            why.Add($"OpenCL C {d.CLStdVersion}, ILGPU needs {ILGPU.Backends.OpenCL.CLBackend.MinimumVersion}");
        return why.Count > 0 ? "refused by ILGPU: " + string.Join(", ", why) : "refused by ILGPU's device filter";
    }

    static string Name(ILGPU.Runtime.Device d) => d is CPUDevice ? "ILGPU CPU accelerator (simulated GPU)" : d.Name;

    static string Describe(ILGPU.Runtime.Device d) =>
        d switch
        {
            CudaDevice c =>
                $"compute capability {c.Architecture?.Major}.{c.Architecture?.Minor}, {c.MemorySize >> 20} MiB, driver (CUDA API) {c.DriverVersion}, "
                    + (
                        c.InstructionSet is { } isa
                            ? $"PTX ISA {isa} (ILGPU's newest that this driver accepts), .target sm_80 for every kernel"
                            : "no PTX ISA of ILGPU 1.5.3 fits this driver: ILGPU cannot run here"
                    ),
            CLDevice c => $"{c.PlatformName}, {c.DeviceType}, OpenCL C {c.CLStdVersion}, {c.MemorySize >> 20} MiB",
            CPUDevice c =>
                $"groups of up to {c.MaxNumThreadsPerGroup} threads, each an OS thread: for tests, not speed",
            _ => d.AcceleratorType.ToString(),
        };
}

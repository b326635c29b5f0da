using System.Runtime.InteropServices;
using System.Text;

namespace Untapped.Kernels.OpenCl;

/// <summary>
/// The OpenCL 1.2 entry points this backend uses, bound at run time from libOpenCL (the ICD loader), so a
/// machine without OpenCL builds and runs everything else. Signatures follow the Khronos cl.h headers.
/// </summary>
internal static unsafe class ClApi
{
    public const uint DEVICE_TYPE_ALL = 0xFFFFFFFF;
    public const uint PLATFORM_NAME = 0x0902, DEVICE_TYPE = 0x1000, DEVICE_MAX_WORK_GROUP_SIZE = 0x1004,
        DEVICE_GLOBAL_MEM_SIZE = 0x101F, DEVICE_LOCAL_MEM_SIZE = 0x1023, DEVICE_NAME = 0x102B, DEVICE_VERSION = 0x102F,
        DRIVER_VERSION = 0x102D, PROGRAM_BUILD_LOG = 0x1183, PROGRAM_BINARY_SIZES = 0x1165, PROGRAM_BINARIES = 0x1166;
    public const ulong MEM_READ_WRITE = 1;

    static readonly nint Lib;
    public static readonly string? LoadError;

    public static readonly delegate* unmanaged<uint, nint*, uint*, int> GetPlatformIDs;
    public static readonly delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> GetPlatformInfo;
    public static readonly delegate* unmanaged<nint, ulong, uint, nint*, uint*, int> GetDeviceIDs;
    public static readonly delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> GetDeviceInfo;
    public static readonly delegate* unmanaged<nint*, uint, nint*, nint, nint, int*, nint> CreateContext;
    public static readonly delegate* unmanaged<nint, nint, ulong, int*, nint> CreateCommandQueue;
    public static readonly delegate* unmanaged<nint, ulong, nuint, void*, int*, nint> CreateBuffer;
    public static readonly delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int> EnqueueWriteBuffer;
    public static readonly delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int> EnqueueReadBuffer;
    public static readonly delegate* unmanaged<nint, uint, byte**, nuint*, int*, nint> CreateProgramWithSource;
    public static readonly delegate* unmanaged<nint, uint, nint*, nuint*, byte**, int*, int*, nint> CreateProgramWithBinary;
    public static readonly delegate* unmanaged<nint, uint, nint*, byte*, nint, nint, int> BuildProgram;
    public static readonly delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int> GetProgramBuildInfo;
    public static readonly delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> GetProgramInfo;
    public static readonly delegate* unmanaged<nint, byte*, int*, nint> CreateKernel;
    public static readonly delegate* unmanaged<nint, uint, nuint, void*, int> SetKernelArg;
    public static readonly delegate* unmanaged<nint, nint, uint, nuint*, nuint*, nuint*, uint, nint*, nint*, int> EnqueueNDRangeKernel;
    public static readonly delegate* unmanaged<nint, int> Finish;
    public static readonly delegate* unmanaged<nint, int> ReleaseMemObject, ReleaseKernel, ReleaseProgram, ReleaseCommandQueue, ReleaseContext;

    static ClApi()
    {
        if (!NativeLibrary.TryLoad("libOpenCL.so.1", out Lib) && !NativeLibrary.TryLoad("libOpenCL.so", out Lib) && !NativeLibrary.TryLoad("OpenCL", out Lib))
        {
            LoadError = "libOpenCL.so.1 (the OpenCL ICD loader) was not found; install ocl-icd-libopencl1 and a platform such as pocl-opencl-icd";
            return;
        }
        GetPlatformIDs = (delegate* unmanaged<uint, nint*, uint*, int>)F("clGetPlatformIDs");
        GetPlatformInfo = (delegate* unmanaged<nint, uint, nuint, void*, nuint*, int>)F("clGetPlatformInfo");
        GetDeviceIDs = (delegate* unmanaged<nint, ulong, uint, nint*, uint*, int>)F("clGetDeviceIDs");
        GetDeviceInfo = (delegate* unmanaged<nint, uint, nuint, void*, nuint*, int>)F("clGetDeviceInfo");
        CreateContext = (delegate* unmanaged<nint*, uint, nint*, nint, nint, int*, nint>)F("clCreateContext");
        CreateCommandQueue = (delegate* unmanaged<nint, nint, ulong, int*, nint>)F("clCreateCommandQueue");
        CreateBuffer = (delegate* unmanaged<nint, ulong, nuint, void*, int*, nint>)F("clCreateBuffer");
        EnqueueWriteBuffer = (delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int>)F("clEnqueueWriteBuffer");
        EnqueueReadBuffer = (delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int>)F("clEnqueueReadBuffer");
        CreateProgramWithSource = (delegate* unmanaged<nint, uint, byte**, nuint*, int*, nint>)F("clCreateProgramWithSource");
        CreateProgramWithBinary = (delegate* unmanaged<nint, uint, nint*, nuint*, byte**, int*, int*, nint>)F("clCreateProgramWithBinary");
        BuildProgram = (delegate* unmanaged<nint, uint, nint*, byte*, nint, nint, int>)F("clBuildProgram");
        GetProgramBuildInfo = (delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int>)F("clGetProgramBuildInfo");
        GetProgramInfo = (delegate* unmanaged<nint, uint, nuint, void*, nuint*, int>)F("clGetProgramInfo");
        CreateKernel = (delegate* unmanaged<nint, byte*, int*, nint>)F("clCreateKernel");
        SetKernelArg = (delegate* unmanaged<nint, uint, nuint, void*, int>)F("clSetKernelArg");
        EnqueueNDRangeKernel = (delegate* unmanaged<nint, nint, uint, nuint*, nuint*, nuint*, uint, nint*, nint*, int>)F("clEnqueueNDRangeKernel");
        Finish = (delegate* unmanaged<nint, int>)F("clFinish");
        ReleaseMemObject = (delegate* unmanaged<nint, int>)F("clReleaseMemObject");
        ReleaseKernel = (delegate* unmanaged<nint, int>)F("clReleaseKernel");
        ReleaseProgram = (delegate* unmanaged<nint, int>)F("clReleaseProgram");
        ReleaseCommandQueue = (delegate* unmanaged<nint, int>)F("clReleaseCommandQueue");
        ReleaseContext = (delegate* unmanaged<nint, int>)F("clReleaseContext");
    }

    static nint F(string name) => NativeLibrary.GetExport(Lib, name);

    public static bool Available => LoadError is null;

    public static void Check(int err, string what)
    {
        if (err != 0) throw new DeviceException($"OpenCL: {what} failed with {ErrorName(err)} ({err})");
    }

    public static string ErrorName(int e) => e switch
    {
        -1 => "CL_DEVICE_NOT_FOUND", -4 => "CL_MEM_OBJECT_ALLOCATION_FAILURE", -5 => "CL_OUT_OF_RESOURCES",
        -6 => "CL_OUT_OF_HOST_MEMORY", -11 => "CL_BUILD_PROGRAM_FAILURE", -30 => "CL_INVALID_VALUE",
        -33 => "CL_INVALID_DEVICE", -34 => "CL_INVALID_CONTEXT", -36 => "CL_INVALID_COMMAND_QUEUE",
        -38 => "CL_INVALID_MEM_OBJECT", -42 => "CL_INVALID_BINARY", -44 => "CL_INVALID_PROGRAM",
        -45 => "CL_INVALID_PROGRAM_EXECUTABLE", -46 => "CL_INVALID_KERNEL_NAME", -48 => "CL_INVALID_KERNEL",
        -49 => "CL_INVALID_ARG_INDEX", -50 => "CL_INVALID_ARG_VALUE", -51 => "CL_INVALID_ARG_SIZE",
        -52 => "CL_INVALID_KERNEL_ARGS", -53 => "CL_INVALID_WORK_DIMENSION", -54 => "CL_INVALID_WORK_GROUP_SIZE",
        -55 => "CL_INVALID_WORK_ITEM_SIZE", -61 => "CL_INVALID_BUFFER_SIZE", -1001 => "CL_PLATFORM_NOT_FOUND_KHR",
        _ => "OpenCL error",
    };

    public static string PlatformString(nint platform, uint param) => InfoString(GetPlatformInfo, platform, param);
    public static string DeviceString(nint device, uint param) => InfoString(GetDeviceInfo, device, param);

    // clGetPlatformInfo and clGetDeviceInfo share one shape: ask the size, then the bytes.
    static string InfoString(delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> get, nint obj, uint param)
    {
        nuint size;
        if (get(obj, param, 0, null, &size) != 0 || size == 0) return "";
        var buf = new byte[(int)size];
        fixed (byte* p = buf) get(obj, param, size, p, null);
        return Encoding.UTF8.GetString(buf).TrimEnd('\0').Trim();
    }

    public static ulong DeviceULong(nint device, uint param)
    {
        ulong v = 0;
        GetDeviceInfo(device, param, 8, &v, null);
        return v;
    }

    /// <summary>Every (platform, device) pair of every installed platform.</summary>
    public static List<(nint Platform, nint Device)> Devices()
    {
        var list = new List<(nint, nint)>();
        if (!Available) return list;
        uint np;
        if (GetPlatformIDs(0, null, &np) != 0 || np == 0) return list;
        var ps = stackalloc nint[(int)np];
        GetPlatformIDs(np, ps, null);
        for (int i = 0; i < np; i++)
        {
            uint nd;
            if (GetDeviceIDs(ps[i], DEVICE_TYPE_ALL, 0, null, &nd) != 0 || nd == 0) continue;
            var ds = new nint[nd];
            fixed (nint* d = ds) GetDeviceIDs(ps[i], DEVICE_TYPE_ALL, nd, d, null);
            foreach (var d in ds) list.Add((ps[i], d));
        }
        return list;
    }
}

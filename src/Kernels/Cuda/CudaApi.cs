using System.Runtime.InteropServices;

namespace Untapped.Kernels.Cuda;

/// <summary>The CUDA driver API entry points this backend uses (cuda.h, _v2 ABI), bound at run time from libcuda.so.1.</summary>
internal static unsafe class CudaApi
{
    public const int ATTR_CC_MAJOR = 75, ATTR_CC_MINOR = 76;
    static readonly nint Lib;
    public static readonly string? LoadError;

    public static readonly delegate* unmanaged<uint, int> Init;
    public static readonly delegate* unmanaged<int*, int> DeviceGetCount;
    public static readonly delegate* unmanaged<int*, int, int> DeviceGet;
    public static readonly delegate* unmanaged<byte*, int, int, int> DeviceGetName;
    public static readonly delegate* unmanaged<int*, int, int, int> DeviceGetAttribute;
    public static readonly delegate* unmanaged<nint*, int, int> PrimaryCtxRetain;
    public static readonly delegate* unmanaged<int, int> PrimaryCtxRelease;
    public static readonly delegate* unmanaged<nint, int> CtxSetCurrent;
    public static readonly delegate* unmanaged<nint*, void*, int> ModuleLoadData;
    public static readonly delegate* unmanaged<nint*, nint, byte*, int> ModuleGetFunction;
    public static readonly delegate* unmanaged<nint, int> ModuleUnload;
    public static readonly delegate* unmanaged<ulong*, nuint, int> MemAlloc;
    public static readonly delegate* unmanaged<ulong, int> MemFree;
    public static readonly delegate* unmanaged<ulong, void*, nuint, int> MemcpyHtoD;
    public static readonly delegate* unmanaged<void*, ulong, nuint, int> MemcpyDtoH;
    public static readonly delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int> LaunchKernel;
    public static readonly delegate* unmanaged<int> CtxSynchronize;
    public static readonly delegate* unmanaged<int, byte**, int> GetErrorString;

    static CudaApi()
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out Lib) && !NativeLibrary.TryLoad("libcuda.so", out Lib))
        {
            LoadError = "libcuda.so.1 (the NVIDIA driver) was not found";
            return;
        }
        Init = (delegate* unmanaged<uint, int>)F("cuInit");
        DeviceGetCount = (delegate* unmanaged<int*, int>)F("cuDeviceGetCount");
        DeviceGet = (delegate* unmanaged<int*, int, int>)F("cuDeviceGet");
        DeviceGetName = (delegate* unmanaged<byte*, int, int, int>)F("cuDeviceGetName");
        DeviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)F("cuDeviceGetAttribute");
        PrimaryCtxRetain = (delegate* unmanaged<nint*, int, int>)F("cuDevicePrimaryCtxRetain");
        PrimaryCtxRelease = (delegate* unmanaged<int, int>)F("cuDevicePrimaryCtxRelease_v2");
        CtxSetCurrent = (delegate* unmanaged<nint, int>)F("cuCtxSetCurrent");
        ModuleLoadData = (delegate* unmanaged<nint*, void*, int>)F("cuModuleLoadData");
        ModuleGetFunction = (delegate* unmanaged<nint*, nint, byte*, int>)F("cuModuleGetFunction");
        ModuleUnload = (delegate* unmanaged<nint, int>)F("cuModuleUnload");
        MemAlloc = (delegate* unmanaged<ulong*, nuint, int>)F("cuMemAlloc_v2");
        MemFree = (delegate* unmanaged<ulong, int>)F("cuMemFree_v2");
        MemcpyHtoD = (delegate* unmanaged<ulong, void*, nuint, int>)F("cuMemcpyHtoD_v2");
        MemcpyDtoH = (delegate* unmanaged<void*, ulong, nuint, int>)F("cuMemcpyDtoH_v2");
        LaunchKernel = (delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)F("cuLaunchKernel");
        CtxSynchronize = (delegate* unmanaged<int>)F("cuCtxSynchronize");
        GetErrorString = (delegate* unmanaged<int, byte**, int>)F("cuGetErrorString");
        int r = Init(0);
        if (r != 0) LoadError = $"cuInit failed: {ErrorString(r)}";
    }

    static nint F(string name) => NativeLibrary.GetExport(Lib, name);

    public static bool Available => LoadError is null;

    public static string ErrorString(int code)
    {
        byte* s = null;
        if (GetErrorString is not null) GetErrorString(code, &s);
        return s is null ? $"CUDA error {code}" : $"{Marshal.PtrToStringUTF8((nint)s)} ({code})";
    }

    public static void Check(int r, string what)
    {
        if (r != 0) throw new DeviceException($"CUDA: {what} failed: {ErrorString(r)}");
    }

    public static int DeviceCount()
    {
        if (!Available) return 0;
        int n;
        return DeviceGetCount(&n) == 0 ? n : 0;
    }
}

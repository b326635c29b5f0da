using System.Runtime.InteropServices;
using System.Text;

namespace Untapped.Kernels.Cuda;

/// <summary>
/// NVRTC, bound at run time (libnvrtc.so.12 / .11.2 / libnvrtc.so): compiles the .cl kernel text as CUDA C++
/// (prelude.h switches on __CUDACC__) to a cubin for a real architecture or to PTX for a virtual one.
/// </summary>
public static unsafe class Nvrtc
{
    static readonly nint Lib;
    public static readonly string? LoadError;
    static readonly delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int> CreateProgram;
    static readonly delegate* unmanaged<nint, int, byte**, int> CompileProgram;
    static readonly delegate* unmanaged<nint, nuint*, int> GetProgramLogSize, GetPTXSize, GetCUBINSize;
    static readonly delegate* unmanaged<nint, byte*, int> GetProgramLog, GetPTX, GetCUBIN;
    static readonly delegate* unmanaged<nint*, int> DestroyProgram;
    static readonly delegate* unmanaged<int, byte*> GetErrorString;
    static readonly delegate* unmanaged<int*, int*, int> VersionFn;

    static Nvrtc()
    {
        string[] names = ["libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so", "nvrtc"];
        foreach (var n in names) if (NativeLibrary.TryLoad(n, out Lib)) break;
        if (Lib == 0) { LoadError = "NVRTC (libnvrtc.so) was not found; on Debian: apt-get install libnvrtc11.2 (component non-free)"; return; }
        CreateProgram = (delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int>)F("nvrtcCreateProgram");
        CompileProgram = (delegate* unmanaged<nint, int, byte**, int>)F("nvrtcCompileProgram");
        GetProgramLogSize = (delegate* unmanaged<nint, nuint*, int>)F("nvrtcGetProgramLogSize");
        GetProgramLog = (delegate* unmanaged<nint, byte*, int>)F("nvrtcGetProgramLog");
        GetPTXSize = (delegate* unmanaged<nint, nuint*, int>)F("nvrtcGetPTXSize");
        GetPTX = (delegate* unmanaged<nint, byte*, int>)F("nvrtcGetPTX");
        GetCUBINSize = (delegate* unmanaged<nint, nuint*, int>)F("nvrtcGetCUBINSize");
        GetCUBIN = (delegate* unmanaged<nint, byte*, int>)F("nvrtcGetCUBIN");
        DestroyProgram = (delegate* unmanaged<nint*, int>)F("nvrtcDestroyProgram");
        GetErrorString = (delegate* unmanaged<int, byte*>)F("nvrtcGetErrorString");
        VersionFn = (delegate* unmanaged<int*, int*, int>)F("nvrtcVersion");
    }

    static nint F(string name) => NativeLibrary.GetExport(Lib, name);

    public static bool Available => LoadError is null;

    public static (int Major, int Minor) Version
    {
        get
        {
            Require();
            int a, b;
            VersionFn(&a, &b);
            return (a, b);
        }
    }

    static void Require()
    {
        if (!Available) throw new DeviceException(LoadError!);
    }

    static string Err(int code) => Marshal.PtrToStringUTF8((nint)GetErrorString(code)) ?? code.ToString();

    /// <summary>
    /// Compiles <paramref name="source"/> for <paramref name="arch"/> ("sm_90" gives a cubin, "compute_90" PTX).
    /// Throws a <see cref="DeviceException"/> carrying NVRTC's log on failure.
    /// </summary>
    public static byte[] Compile(string source, string name, string arch)
    {
        Require();
        nint prog;
        var src = Encoding.UTF8.GetBytes(source + "\0");
        var nm = Encoding.UTF8.GetBytes(name + "\0");
        int r;
        fixed (byte* s = src, n = nm) r = CreateProgram(&prog, s, n, 0, null, null);
        if (r != 0) throw new DeviceException($"NVRTC: nvrtcCreateProgram({name}) failed: {Err(r)}");
        try
        {
            string[] opts = [$"--gpu-architecture={arch}", "--std=c++14", "-default-device"];
            var bytes = opts.Select(o => Encoding.ASCII.GetBytes(o + "\0")).ToArray();
            var handles = bytes.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
            try
            {
                var ptrs = stackalloc byte*[bytes.Length];
                for (int i = 0; i < bytes.Length; i++) ptrs[i] = (byte*)handles[i].AddrOfPinnedObject();
                r = CompileProgram(prog, bytes.Length, ptrs);
            }
            finally { foreach (var h in handles) h.Free(); }
            if (r != 0) throw new DeviceException($"NVRTC: compiling {name} for {arch} failed: {Err(r)}; log:\n{Log(prog)}");
            bool cubin = arch.StartsWith("sm_", StringComparison.Ordinal);
            nuint size;
            r = cubin ? GetCUBINSize(prog, &size) : GetPTXSize(prog, &size);
            if (r != 0) throw new DeviceException($"NVRTC: reading the {(cubin ? "cubin" : "PTX")} of {name} failed: {Err(r)}");
            var output = new byte[(int)size];
            fixed (byte* o = output) r = cubin ? GetCUBIN(prog, o) : GetPTX(prog, o);
            if (r != 0) throw new DeviceException($"NVRTC: reading the output of {name} failed: {Err(r)}");
            return output;
        }
        finally { DestroyProgram(&prog); }
    }

    static string Log(nint prog)
    {
        nuint size;
        if (GetProgramLogSize(prog, &size) != 0 || size <= 1) return "(empty log)";
        var buf = new byte[(int)size];
        fixed (byte* b = buf) GetProgramLog(prog, b);
        return Encoding.UTF8.GetString(buf).TrimEnd('\0');
    }
}

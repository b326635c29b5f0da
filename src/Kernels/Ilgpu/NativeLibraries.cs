using System.Reflection;
using System.Runtime.InteropServices;

namespace Untapped.Kernels.Ilgpu;

/// <summary>
/// Lets ILGPU find the driver libraries under the names Linux distributions install. ILGPU imports "OpenCL" and
/// "cuda", which .NET looks up as libOpenCL.so and libcuda.so; Debian-like systems install only libOpenCL.so.1 (the
/// ICD loader) and a driver-only machine may have only libcuda.so.1, so without this no device would be found there.
/// </summary>
static partial class NativeLibraries
{
    static int _registered;

    /// <summary>
    /// Registers the resolver for ILGPU's assembly once, and asks PoCL for its continuation-based work-group method
    /// (<see cref="PoclWorkGroupMethod"/>); call before ILGPU enumerates devices.
    /// </summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) != 0 || !OperatingSystem.IsLinux())
            return;
        PreferPoclCbs();
        // On WSL, ILGPU registers its own resolver for libcuda (a second registration would throw there).
        if (
            File.Exists("/proc/version")
            && File.ReadAllText("/proc/version").Contains("microsoft", StringComparison.OrdinalIgnoreCase)
        )
        {
            return;
        }

        NativeLibrary.SetDllImportResolver(typeof(ILGPU.Context).Assembly, Resolve);
    }

    /// <summary>The PoCL variable that picks how a work-group's work-items become a loop, and the value we ask for.</summary>
    internal const string PoclWorkGroupMethod = "POCL_WORK_GROUP_METHOD",
        PoclCbs = "cbs";

    /// <summary>
    /// Sets POCL_WORK_GROUP_METHOD=cbs in the process's native environment unless the user set it (PoCL reads it with
    /// getenv when it loads, so .NET's own copy of the environment would not reach it). PoCL's default, "loopvec",
    /// runs our barrier-tiled kernels (the GEMM's shared-memory tiles, the row reductions) far slower than CBS:
    /// measured on a 2-core EPYC (Zen 3), PoCL 6.0, a paper-preset step at batch 2,000 12.2 -> 6.0 s (`bench step
    /// --backend opencl`), with the same bits (the OpenCL parity, five-step and invariant tests run under it).
    /// Other OpenCL drivers do not read the variable.
    /// </summary>
    static void PreferPoclCbs()
    {
        string failed;
        try
        {
            if (setenv(PoclWorkGroupMethod, PoclCbs, overwrite: 0) == 0)
                return;
            failed = $"setenv failed (errno {Marshal.GetLastPInvokeError()})";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            failed = e.Message; // a C library without setenv: a slower PoCL, nothing else
        }
        Console.Error.WriteLine(
            $"warning: could not set {PoclWorkGroupMethod}={PoclCbs} ({failed}): PoCL, if used, keeps its slower default"
        );
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int setenv(string name, string value, int overwrite);

    /// <summary>The native environment's value of <paramref name="name"/> (tests: what PoCL will read).</summary>
    internal static string? NativeEnvironment(string name) => Marshal.PtrToStringUTF8(getenv(name));

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name switch
        {
            "OpenCL" => Load("libOpenCL.so", "libOpenCL.so.1"),
            "cuda" => Load("libcuda.so", "libcuda.so.1"),
            _ => IntPtr.Zero,
        };

    static IntPtr Load(params string[] names)
    {
        foreach (var n in names)
        {
            if (NativeLibrary.TryLoad(n, out var handle))
                return handle;
        }

        return IntPtr.Zero;
    }

    /// <summary>Whether a library of one of these names loads here.</summary>
    public static bool Present(params string[] names)
    {
        foreach (var n in names)
        {
            if (NativeLibrary.TryLoad(n, out var handle))
            {
                NativeLibrary.Free(handle);
                return true;
            }
        }

        return false;
    }
}

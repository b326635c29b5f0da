using System.Reflection;
using System.Runtime.InteropServices;

namespace Untapped.Kernels.Ilgpu;

/// <summary>
/// Lets ILGPU find the driver libraries under the names Linux distributions install. ILGPU imports "OpenCL" and
/// "cuda", which .NET looks up as libOpenCL.so and libcuda.so; Debian-like systems install only libOpenCL.so.1 (the
/// ICD loader) and a driver-only machine may have only libcuda.so.1, so without this no device would be found there.
/// </summary>
static class NativeLibraries
{
    static int _registered;

    /// <summary>Registers the resolver for ILGPU's assembly once; call before ILGPU enumerates devices.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) != 0 || !OperatingSystem.IsLinux())
            return;
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

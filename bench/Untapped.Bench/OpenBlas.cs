using System.Runtime.InteropServices;
using Untapped.Kernels.Cpu;
using unsafe SgemmFn = delegate* unmanaged<
    int,
    int,
    int,
    int,
    int,
    int,
    float,
    float*,
    int,
    float*,
    int,
    float,
    float*,
    int,
    void>; // cblas_sgemm

namespace Untapped.Bench;

/// <summary>
/// OpenBLAS's cblas_sgemm (Debian's libopenblas0-pthread), loaded once per process on the kernel family this process's
/// own vector path deserves, so that a ratio compares like with like: AVX-512 -> OpenBLAS's own choice for the CPU
/// (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, as these machines' environment sets them to hold OpenBLAS on its
/// Haswell kernels), AVX2 -> Haswell, 128-bit -> Nehalem (SSE). <c>--blas-core NAME</c> overrides the choice.
/// The variables are changed in the native environment (libc setenv) before the library loads: OpenBLAS reads them
/// in its load-time constructor, and .NET's Environment.SetEnvironmentVariable does not reach getenv on Unix.
/// </summary>
static unsafe partial class OpenBlas
{
    const int RowMajor = 101,
        NoTrans = 111,
        Trans = 112;
    static SgemmFn _sgemm;
    static delegate* unmanaged<int, void> _setThreads;
    static delegate* unmanaged<sbyte*> _coreName;
    static bool? _loaded;

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unsetenv(string name);

    /// <summary>The OPENBLAS_CORETYPE this process's vector path deserves, null for OpenBLAS's own detection.</summary>
    public static string? FairCore() =>
        Lanes.Path switch
        {
            "AVX-512" => null,
            "AVX2" => "Haswell",
            _ => "Nehalem",
        };

    /// <summary>
    /// Loads the library on <paramref name="core"/> (null: OpenBLAS detects); false when it is not installed.
    /// </summary>
    public static bool Load(string? core, int threads)
    {
        if (_loaded is { } done)
        {
            if (done)
                _setThreads(threads);
            return done;
        }
        if (core is null)
        {
            unsetenv("OPENBLAS_CORETYPE");
            unsetenv("OPENBLAS_L2_SIZE");
        }
        else
        {
            setenv("OPENBLAS_CORETYPE", core, 1);
        }

        _loaded = false;
        foreach (
            var n in new[]
            {
                "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
                "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
                "libopenblas.so.0",
                "libopenblas.so",
            }
        )
        {
            if (NativeLibrary.TryLoad(n, out var lib))
            {
                _sgemm = (SgemmFn)NativeLibrary.GetExport(lib, "cblas_sgemm");
                _setThreads = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(lib, "openblas_set_num_threads");
                _coreName = (delegate* unmanaged<sbyte*>)NativeLibrary.GetExport(lib, "openblas_get_corename");
                _setThreads(threads);
                _loaded = true;
                break;
            }
        }

        return _loaded.Value;
    }

    /// <summary>The kernel family OpenBLAS runs (openblas_get_corename: Haswell, SkylakeX, Cooperlake, ...).</summary>
    public static string CoreName => _loaded == true ? new string(_coreName()) : "not loaded";

    /// <summary>C = op(A) op(B) (+ C when <paramref name="accumulate"/>), row-major.</summary>
    public static void Sgemm(
        float* a,
        float* b,
        float* c,
        int m,
        int k,
        int n,
        bool transA,
        bool transB,
        bool accumulate
    ) =>
        _sgemm(
            RowMajor,
            transA ? Trans : NoTrans,
            transB ? Trans : NoTrans,
            m,
            n,
            k,
            1f,
            a,
            transA ? m : k,
            b,
            transB ? k : n,
            accumulate ? 1f : 0f,
            c,
            n
        );

    public const string Missing = "OpenBLAS not found (apt-get install libopenblas0-pthread)";
}

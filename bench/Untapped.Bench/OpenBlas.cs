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
/// <para>
/// After each call OpenBLAS's worker threads keep polling for work (sched_yield in a loop) for
/// 2^OPENBLAS_THREAD_TIMEOUT time-stamp cycles before they sleep: 2^28 by default, about 0.1 s. On a 2-core machine
/// that poller takes a core from whatever this process times next: on a Zen 3, our 500x10000x784 weight gradient timed
/// right after OpenBLAS's ran either at 48-51 ms or at 83-118 ms (13 of 25 reps), and at 50-57 ms in every rep with the
/// timeout at its minimum. So <see cref="Load"/> sets the timeout to 2^<see cref="ThreadTimeoutLog2"/> cycles (a user's
/// own value wins): short enough that the threads sleep within a millisecond, long enough that a run of back-to-back
/// calls (the GEMM bound) finds them awake; and a benchmark calls <see cref="Quiesce"/> before it times either side, so
/// that each starts with the other's threads asleep.
/// </para>
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

    /// <summary>
    /// log2 of the time-stamp cycles OpenBLAS's idle threads poll before they sleep, as this process sets it.
    /// </summary>
    public const int ThreadTimeoutLog2 = 20;

    /// <summary>How long <see cref="Quiesce"/> waits: the threads' polling time at a time-stamp counter of 1 GHz or
    /// more (OpenBLAS clamps the exponent to [4, 30]), plus 2 ms.</summary>
    static int _parkMs = 2;

    /// <summary>
    /// Waits until OpenBLAS's idle threads (and this process's idle pool threads, which poll far shorter) have gone to
    /// sleep, so that what is timed next has the cores to itself.
    /// </summary>
    public static void Quiesce() => Thread.Sleep(_parkMs);

    /// <summary>The OPENBLAS_THREAD_TIMEOUT in force (set by <see cref="Load"/> unless the user set it).</summary>
    public static int ThreadTimeout
    {
        get
        {
            var v = Untapped.Kernels.Ilgpu.NativeLibraries.NativeEnvironment("OPENBLAS_THREAD_TIMEOUT");
            return int.TryParse(v, out int t) ? Math.Clamp(t, 4, 30) : 28;
        }
    }

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
        setenv("OPENBLAS_THREAD_TIMEOUT", ThreadTimeoutLog2.ToString(), 0);
        _parkMs = (int)Math.Ceiling((1L << ThreadTimeout) / 1e6) + 2;

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
